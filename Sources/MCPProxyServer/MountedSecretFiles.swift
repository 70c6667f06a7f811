import Foundation
import MCPProxyCore
import Synchronization

/// Reads mounted Secret files, re-reading one when its modification time changes
/// (kubelet updates Secret volumes in place), so rotation needs no restart.
final class MountedSecretFiles: SecretFiles {
    private let cache = Mutex<[String: (modified: Date, contents: String)]>([:])

    func contents(of path: String) -> String? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              let modified = attributes[.modificationDate] as? Date
        else { return nil }
        if let cached = cache.withLock({ $0[path] }), cached.modified == modified { return cached.contents }
        guard let contents = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        cache.withLock { $0[path] = (modified, contents) }
        return contents
    }
}
