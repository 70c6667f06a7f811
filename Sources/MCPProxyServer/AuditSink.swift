import Foundation
import KubeCore
import MCPProxyCore

/// Writes one JSON audit line per decision to standard output, each line whole (a
/// single write, below the pipe's atomic size), with a timestamp. Logs go to standard
/// error, so the audit stream stays machine-readable.
struct AuditSink: Sendable {
    private static let timestamp = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    func write(_ record: AuditRecord) {
        FileHandle.standardOutput.write(Self.line(record, time: Date()))
    }

    /// The record's JSON object (sorted keys) with `time` added last, and a newline: one
    /// encoding pass per request, nothing parsed back.
    static func line(_ record: AuditRecord, time: Date) -> Data {
        guard var line = try? KubeJSON.encode(record), line.last == UInt8(ascii: "}"),
              let stamp = try? KubeJSON.encode(timestamp.format(time)) else { return Data() }
        line.removeLast()
        if line.last != UInt8(ascii: "{") { line.append(UInt8(ascii: ",")) }
        line.append(contentsOf: Data(#""time":"#.utf8))
        line.append(contentsOf: stamp)
        line.append(contentsOf: Data("}\n".utf8))
        return line
    }
}
