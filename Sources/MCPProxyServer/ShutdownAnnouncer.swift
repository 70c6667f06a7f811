import Logging
import ServiceLifecycle

/// Says on standard error when a graceful shutdown begins and what it does. Last in the
/// service group, which shuts its services down in reverse order, so it speaks first;
/// then the config watcher, the admin listener, and the proxy listener, which stops
/// accepting, ends the event streams and lets requests in flight finish within the grace.
struct ShutdownAnnouncer: Service {
    let grace: Int
    let logger: Logger

    func run() async throws {
        try? await gracefulShutdown()
        logger.info("shutting down: no new connections, event streams end now, requests in flight have until the grace runs out", metadata: ["graceSeconds": "\(grace)"])
    }
}
