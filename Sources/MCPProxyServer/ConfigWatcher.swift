import Crypto
import Foundation
import Logging
import ServiceLifecycle

/// Polls the config file and installs a changed, valid config without dropping
/// connections. An invalid one is refused: the last good config keeps serving, and the
/// failure is logged and counted.
struct ConfigWatcher: Service {
    let path: String
    let state: ProxyState
    var interval: Duration = .seconds(1)

    func run() async throws {
        // Stop polling when the service group shuts down gracefully (SIGTERM).
        await cancelWhenGracefulShutdown { await poll() }
    }

    private func poll() async {
        var lastDigest = Self.digest(path)
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: interval)
            } catch {
                return
            }
            let digest = Self.digest(path)
            guard digest != lastDigest else { continue }
            lastDigest = digest
            state.reload(from: path) { () throws(ConfigLoadError) in try ProxyConfigLoader.load(path: path) }
        }
    }

    /// SHA-256 of the file's bytes (nil when unreadable): a ConfigMap volume swaps a
    /// symlink, so content, not modification time, says whether it changed.
    static func digest(_ path: String) -> [UInt8]? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return Array(SHA256.hash(data: data))
    }
}
