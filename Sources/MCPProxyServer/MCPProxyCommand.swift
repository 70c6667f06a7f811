import AdminHTTP
import ArgumentParser
import AsyncHTTPClient
import Foundation
import Hummingbird
import HummingbirdCore
import KubeClient
import Logging
import MCPProxyConfig
import MCPRuntimeAPI
import ServiceLifecycle

/// `mcp-proxy --config FILE [--listen HOST:PORT] [--upstream URL] [--admin-listen HOST:PORT]
/// [--config-map NAMESPACE/NAME [--kubeconfig FILE]]`.
public struct MCPProxyCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "mcp-proxy",
        abstract: "Auth-enforcing proxy in front of one MCP server.",
        discussion: "Reads the JSON that `mcp-runtime render --proxy-config NAME` prints, reloads it when it changes, and enforces it on every request.",
        version: MCPRuntimeVersion.current
    )

    @Option(help: ArgumentHelp("The proxy configuration (config.json).", valueName: "FILE"))
    var config: String

    @Option(help: ArgumentHelp("Where to serve MCP clients.", valueName: "HOST:PORT"))
    var listen: String = "0.0.0.0:8091"

    @Option(help: ArgumentHelp("Overrides upstream.url of the config.", valueName: "URL"))
    var upstream: String?

    @Option(name: .customLong("admin-listen"), help: ArgumentHelp("Where to serve /healthz and /readyz.", valueName: "HOST:PORT"))
    var adminListen: String = "127.0.0.1:9090"

    @Option(name: .customLong("config-map"), help: ArgumentHelp("Also watch this ConfigMap's key config.json through the Kubernetes API (in-cluster credentials unless --kubeconfig); the file is then read at start only.", valueName: "NAMESPACE/NAME"))
    var configMap: String?

    @Option(help: ArgumentHelp("Kubeconfig for --config-map, instead of the pod's service account.", valueName: "FILE"))
    var kubeconfig: String?

    @Option(name: .customLong("shutdown-grace"), help: ArgumentHelp("On SIGTERM: stop accepting, end event streams (GET), and give requests in flight this long before they are cut; below the pod's terminationGracePeriodSeconds (30 as rendered).", valueName: "SECONDS"))
    var shutdownGrace: Int = 20

    public init() {}

    public func validate() throws {
        for (flag, value) in [("--listen", listen), ("--admin-listen", adminListen)] where ListenAddress(value) == nil {
            throw ValidationError("\(flag) \(value) is not HOST:PORT")
        }
        if let configMap, Self.configMapName(configMap) == nil {
            throw ValidationError("--config-map \(configMap) is not NAMESPACE/NAME")
        }
        if !(1...3600).contains(shutdownGrace) {
            throw ValidationError("--shutdown-grace \(shutdownGrace) is not between 1 and 3600 seconds")
        }
        if let upstream, URL(string: upstream)?.scheme.map({ ["http", "https"].contains($0) }) != true {
            throw ValidationError("--upstream \(upstream) is not an http(s) URL")
        }
    }

    public func run() async throws {
        // Standard output carries the audit lines; everything else is logged to standard error.
        LoggingSystem.bootstrap(StreamLogHandler.standardError)
        let logger = Logger(label: "mcp-proxy")
        let loaded: ProxyConfig
        do {
            loaded = try ProxyConfigLoader.load(path: config)
        } catch {
            throw Self.failure(error.description)
        }
        guard let listenAddress = ListenAddress(listen), let adminAddress = ListenAddress(adminListen) else { throw ExitCode.validationFailure }

        // The issuer's endpoints (metadata, JWKS, introspection, token exchange), with the
        // trust of the config read at start: auth.oauth.issuerCAFile alone, or the system store.
        let issuerCAFile = loaded.auth.oauth?.issuerCAFile
        let clientConfiguration: HTTPClient.Configuration
        do {
            clientConfiguration = try IssuerTLS.clientConfiguration(caFile: issuerCAFile)
        } catch {
            throw Self.failure(error.description)
        }
        if let issuerCAFile {
            logger.info("the issuer's endpoints are trusted with the certificates of auth.oauth.issuerCAFile only", metadata: ["file": "\(issuerCAFile)"])
        }
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: clientConfiguration)
        let upstreamClient: UpstreamClient
        do {
            upstreamClient = try UpstreamClient()
        } catch {
            throw Self.failure("cannot set up TLS for the upstream: \(error)")
        }

        let state = ProxyState(config: loaded, client: client, secrets: MountedSecretFiles(), upstreamOverride: upstream, logger: logger, metrics: ProxyMetrics())
        let proxy = Application(
            responder: ProxyResponder(state: state, upstream: upstreamClient, audit: AuditSink()),
            server: Self.server(limits: loaded.limits, state: state),
            configuration: .init(address: .hostname(listenAddress.host, port: listenAddress.port), serverName: nil),
            logger: logger
        )
        let admin = Application(
            responder: AdminResponder(readiness: { await state.readiness() }, metrics: { state.metrics.text() }),
            configuration: .init(address: .hostname(adminAddress.host, port: adminAddress.port), serverName: nil),
            logger: logger
        )
        let watcher: any ServiceLifecycle.Service
        if let configMap, let (namespace, name) = Self.configMapName(configMap) {
            let clientConfiguration: ClientConfiguration
            do {
                clientConfiguration = try ClientConfiguration.resolve(kubeconfig: kubeconfig)
            } catch {
                throw Self.failure("--config-map: \(error.description)")
            }
            watcher = ConfigMapWatcher(client: KubeClient(clientConfiguration), namespace: namespace, name: name, key: ProxyConfig.configMapKey, state: state)
        } else {
            watcher = ConfigWatcher(path: config, state: state)
        }
        logger.info("serving", metadata: ["listen": "\(listen)", "admin": "\(adminListen)", "revision": "\(loaded.revision ?? "none")"])
        var groupConfiguration = ServiceGroupConfiguration(
            // Shut down in reverse order: announced first, the proxy listener last.
            services: [.init(service: proxy), .init(service: admin), .init(service: watcher), .init(service: ShutdownAnnouncer(grace: shutdownGrace, logger: logger))],
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger
        )
        // Requests still in flight when the grace runs out are cancelled.
        groupConfiguration.maximumGracefulShutdownDuration = .seconds(shutdownGrace)
        groupConfiguration.maximumCancellationDuration = .seconds(2)
        let group = ServiceGroup(configuration: groupConfiguration)
        let started = ContinuousClock.now
        do {
            try await group.run()
        } catch {
            await upstreamClient.shutdown()
            try? await client.shutdown()
            logger.error("stopped", metadata: ["error": "\(error)"])
            throw error
        }
        await upstreamClient.shutdown()
        try await client.shutdown()
        logger.info("stopped", metadata: ["after": "\(ContinuousClock.now - started)"])
    }

    /// HTTP/1.1 with the config's header limits (read at start) and, per connection, the
    /// deadlines of the config in force when it opened.
    static func server(limits: ProxyConfig.Limits, state: ProxyState) -> HTTPServerBuilder {
        let decoder = HTTP1Channel.Configuration.DecoderConfiguration(
            maxHeaderFieldSize: limits.maxHeaderBytes, maxHeaderListSize: limits.maxHeaderBytes, maxHeaderFieldCount: limits.maxHeaderCount
        )
        return .http1(configuration: .init(
            additionalChannelHandlers: [ConnectionDeadlines(timeouts: .init(state.runtime.config.limits))],
            httpDecoderConfiguration: decoder
        ))
    }

    static func configMapName(_ text: String) -> (String, String)? {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
        return (parts[0], parts[1])
    }

    /// Says why on standard error; the exit code to throw.
    private static func failure(_ message: String) -> ExitCode {
        FileHandle.standardError.write(Data("mcp-proxy: \(message)\n".utf8))
        return ExitCode.failure
    }
}
