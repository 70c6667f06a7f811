import AdminHTTP
import ArgumentParser
import Foundation
import KubeClient
import Logging
import MCPOperator
import MCPRuntimeRender

/// `mcp-runtime operator [--kubeconfig F] [--namespace NS] [--leader-elect]`.
struct OperatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "operator",
        abstract: "Watch MCPServer, MCPAccessGrant and MCPAgentSession and keep the rendered objects and status true.",
        discussion: """
        Credentials: --kubeconfig, else $KUBECONFIG, else the pod's service account, else \
        ~/.kube/config. Serves /healthz, /readyz and /metrics on --admin-listen and logs JSON \
        lines to standard error. SIGTERM shuts down gracefully and releases the Lease.
        """
    )

    @Option(help: ArgumentHelp("Kubeconfig to use (its current context).", valueName: "FILE"))
    var kubeconfig: String?

    @Option(name: [.customShort("n"), .long], help: "Watch only this namespace (default: all namespaces).")
    var namespace: String?

    @Flag(name: .customLong("leader-elect"), help: "Run only while holding the Lease mcp-runtime-operator (for several replicas).")
    var leaderElect = false

    @Option(name: .customLong("lease-namespace"), help: "Namespace of the Lease (default: $POD_NAMESPACE, else mcp-runtime-system).")
    var leaseNamespace: String?

    @Option(name: .customLong("admin-listen"), help: ArgumentHelp("Where to serve /healthz, /readyz and /metrics.", valueName: "HOST:PORT"))
    var adminListen = "0.0.0.0:8081"

    @Option(name: .customLong("proxy-image"), help: "The mcp-proxy image when spec.gateway.image is unset.")
    var proxyImage = RenderOptions.defaultProxyImage

    @Option(help: "Concurrent reconciles (one per server at a time).")
    var workers = 4

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel = "info"

    func validate() throws {
        guard ListenAddress(adminListen) != nil else { throw ValidationError("--admin-listen \(adminListen) is not HOST:PORT") }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("--log-level \(logLevel) is not one of trace, debug, info, notice, warning, error, critical") }
        guard workers > 0 else { throw ValidationError("--workers must be at least 1") }
    }

    func run() async throws {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = JSONLogHandler(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "mcp-runtime-operator")
        let client: KubeClient
        do {
            client = KubeClient(try ClientConfiguration.resolve(kubeconfig: kubeconfig))
        } catch {
            logger.critical("no Kubernetes API credentials", metadata: ["error": "\(error.description)"])
            throw ExitCode.failure
        }
        guard let admin = ListenAddress(adminListen) else { throw ExitCode.validationFailure }
        let environment = ProcessInfo.processInfo.environment
        var settings = OperatorSettings(
            namespace: namespace, leaderElection: leaderElect,
            leaseNamespace: leaseNamespace ?? environment["POD_NAMESPACE"] ?? "mcp-runtime-system",
            identity: environment["POD_NAME"] ?? ProcessInfo.processInfo.hostName + "-" + String(ProcessInfo.processInfo.processIdentifier),
            adminHost: admin.host, adminPort: admin.port, render: RenderOptions(proxyImage: proxyImage)
        )
        settings.workers = workers
        do {
            try await Operator.run(client: client, settings: settings, logger: logger)
        } catch {
            logger.critical("stopped", metadata: ["error": "\(error)"])
            throw ExitCode.failure
        }
    }
}
