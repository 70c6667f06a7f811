import Foundation
import KubeCore
import MCPProxyCore

/// Writes one JSON audit line per decision to standard output, each line whole (a
/// single write, below the pipe's atomic size), with a timestamp. Logs go to standard
/// error, so the audit stream stays machine-readable.
struct AuditSink: Sendable {
    private static let timestamp = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    func write(_ record: AuditRecord) {
        guard case .object(var members)? = try? KubeJSON.tree(record) else { return }
        members["time"] = .string(Self.timestamp.format(Date()))
        guard var line = try? KubeJSON.encode(JSONValue.object(members)) else { return }
        line.append(0x0A)
        FileHandle.standardOutput.write(line)
    }
}
