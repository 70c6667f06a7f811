import AdminHTTP
import Foundation
import Hummingbird
import KubeClient
import KubeCore
import KubeRuntime
import Logging
import MCPRuntimeAPI
import ServiceLifecycle
import Synchronization

/// `mcp-runtime operator`: the MCPServer controller, with its informers (servers, grants,
/// sessions, Namespaces when watching every namespace, every rendered kind), optional
/// leader election, and the admin listener, run until SIGTERM or SIGINT, then shut down
/// gracefully (the Lease released).
public enum Operator {
    public static func run(client: KubeClient, settings: OperatorSettings, logger: Logger) async throws {
        let metrics = OperatorMetrics()
        let servers = Informer<MCPServer>(client: client, namespace: settings.namespace)
        let grants = Informer<MCPAccessGrant>(client: client, namespace: settings.namespace)
        let sessions = Informer<MCPAgentSession>(client: client, namespace: settings.namespace)
        let owned = OwnedKind.all(client: client, namespace: settings.namespace)
        var controller = Controller(servers)
            .watches(grants) { [ServerReconciler.serverKey($0.spec.serverRef, $0.metadata)] }
            .watches(sessions) { [ServerReconciler.serverKey($0.spec.serverRef, $0.metadata)] }
        for kind in owned {
            controller = controller.watches(kind: kind.kind, synced: kind.synced, run: kind.watch)
        }
        // Namespace labels for spec.bindings.namespaceSelector. Watching one namespace,
        // the operator sees no binding from another, so it needs none (nor their RBAC).
        let namespaces = settings.namespace == nil ? Informer<Namespace>(client: client, namespace: nil) : nil
        if let namespaces {
            controller = controller.watches(kind: Namespace.kind, synced: { await namespaces.store.synced }) { [grants, sessions] enqueue, restarted in
                await namespaces.run(onChange: { change in
                    guard NamespaceTrigger.labelsChanged(change) else { return }
                    let servers = NamespaceTrigger.servers(boundFrom: change.key.name, grants: await grants.store.all(), sessions: await sessions.store.all())
                    for server in servers.sorted() { await enqueue(server) }
                }, onRestart: restarted)
            }
        }
        let reconciler = ServerReconciler(
            client: client, grants: grants.store, sessions: sessions.store, namespaces: namespaces?.store, owned: owned, options: settings.render,
            events: EventRecorder(client: client, instance: settings.identity, logger: logger)
        )

        let leading = Mutex(!settings.leaderElection)
        metrics.leading(!settings.leaderElection)
        let admin = Application(
            responder: AdminResponder(readiness: { [controller] in
                guard leading.withLock({ $0 }) else { return (true, "standby: waiting for the Lease") }
                return await controller.synced() ? (true, "ready") : (false, "listing")
            }, metrics: { metrics.text() }),
            configuration: .init(address: .hostname(settings.adminHost, port: settings.adminPort), serverName: nil),
            logger: logger
        )
        let work = ControllerService(controller: controller, reconciler: reconciler, settings: settings, client: client, metrics: metrics, logger: logger) { value in
            leading.withLock { $0 = value }
            metrics.leading(value)
        }
        logger.info("starting", metadata: [
            "namespace": "\(settings.namespace ?? "all")", "leaderElection": "\(settings.leaderElection)",
            "admin": "\(settings.adminHost):\(settings.adminPort)", "server": "\(client.configuration.server)",
        ])
        let group = ServiceGroup(configuration: .init(services: [admin, work], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}

/// Runs the controller (while leading, with election) and samples the queue depth.
struct ControllerService: ServiceLifecycle.Service {
    let controller: Controller<MCPServer>
    let reconciler: ServerReconciler
    let settings: OperatorSettings
    let client: KubeClient
    let metrics: OperatorMetrics
    let logger: Logger
    let onLeading: @Sendable (Bool) -> Void

    func run() async throws {
        try await cancelWhenGracefulShutdown {
            if settings.leaderElection {
                let elector = LeaderElector(client: client, namespace: settings.leaseNamespace, name: settings.leaseName, identity: settings.identity, logger: logger)
                try await elector.run(onLeading: onLeading) { await runController() }
            } else {
                await runController()
            }
        }
    }

    private func runController() async {
        let events = controllerEvents()
        let queue = controller.queue
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                while !Task.isCancelled {
                    metrics.queueDepth(await queue.depth)
                    try? await Task.sleep(for: .seconds(1))
                }
            }
            group.addTask {
                await controller.run(workers: settings.workers, events: events, reconcile: { key, server in
                    try await reconciler.reconcile(key, server)
                })
            }
            await group.next()
            group.cancelAll()
        }
    }

    /// Metrics and logs for reconciles and watch restarts.
    private func controllerEvents() -> ControllerEvents {
        let logger = self.logger
        let metrics = self.metrics
        var events = ControllerEvents()
        events.reconciled = { key, duration, error in
            metrics.reconciled(duration, failed: error != nil)
            if let error {
                logger.warning("reconcile failed; requeued", metadata: ["server": "\(key)", "error": "\(error)"])
            } else {
                logger.debug("reconciled", metadata: ["server": "\(key)", "seconds": "\(duration)"])
            }
        }
        events.restarted = { kind, restart in
            metrics.restarted(kind: kind, restart)
            if case .failed(let error) = restart { logger.warning("watch failed; retrying", metadata: ["kind": "\(kind)", "error": "\(error)"]) }
        }
        return events
    }
}
