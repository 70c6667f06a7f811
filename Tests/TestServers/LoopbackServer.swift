import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import NIOSSL
import Synchronization

/// Serves `router` on a free port of 127.0.0.1 (HTTPS with `tls`); cancel the task to stop it.
public func startLoopback(_ router: Router<BasicRequestContext>, name: String, tls: TLSConfiguration? = nil) async throws -> (port: Int, task: Task<Void, any Error>) {
    let portBox = Mutex<Int?>(nil)
    // Stopping is by cancellation, which Hummingbird reports as errors: keep them quiet.
    var logger = Logger(label: name)
    logger.logLevel = .critical
    let server: HTTPServerBuilder = if let tls { try .tls(.http1(), tlsConfiguration: tls) } else { .http1() }
    let app = Application(router: router, server: server, configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: nil), onServerRunning: { channel in
        portBox.withLock { $0 = channel.localAddress?.port }
    }, logger: logger)
    let running = Task { try await app.runService() }
    for _ in 0..<200 where portBox.withLock({ $0 }) == nil {
        try await Task.sleep(for: .milliseconds(25))
    }
    guard let port = portBox.withLock({ $0 }) else {
        running.cancel()
        throw ReplayError("\(name) did not start")
    }
    return (port, running)
}
