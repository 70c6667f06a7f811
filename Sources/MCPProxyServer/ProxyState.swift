import AsyncHTTPClient
import Foundation
import Logging
import MCPPolicy
import MCPProxyConfig
import MCPProxyCore
import Synchronization

/// The runtime in force, swapped atomically when a new config loads. Requests in
/// flight finish with the runtime they started with; nothing is dropped.
final class ProxyState: Sendable {
    private let current: Mutex<ProxyRuntime>
    private let client: HTTPClient
    private let secrets: any SecretFiles
    let logger: Logger
    let metrics: ProxyMetrics
    let upstreamOverride: String?
    /// `auth.oauth.issuerCAFile` of the config the proxy started with: `client` trusts its
    /// certificates (read at start) until the proxy restarts, whatever a reload says.
    let issuerCAFile: String?

    init(config: ProxyConfig, client: HTTPClient, secrets: any SecretFiles, upstreamOverride: String?, logger: Logger, metrics: ProxyMetrics) {
        self.client = client
        self.secrets = secrets
        self.logger = logger
        self.metrics = metrics
        self.upstreamOverride = upstreamOverride
        issuerCAFile = config.auth.oauth?.issuerCAFile
        let runtime = Self.runtime(config, client: client, secrets: secrets, upstreamOverride: upstreamOverride, logger: logger, metrics: metrics)
        current = Mutex(runtime)
        metrics.activeRevision(config.revision ?? "none")
        Self.warm(runtime)
    }

    var runtime: ProxyRuntime { current.withLock { $0 } }

    /// Ready when the proxy can serve: a usable config and, in oauth mode, the issuer's
    /// keys loaded and not beyond the maximum staleness. Asking starts a fetch of keys
    /// that are missing or due (without waiting), so probes keep an idle proxy's keys fresh.
    func readiness() async -> (ready: Bool, detail: String) {
        let runtime = self.runtime
        let config = runtime.config
        if let reason = config.unusable { return (false, "unusable: \(reason)") }
        if config.auth.mode == .oauth {
            guard let keySource = runtime.keySource else { return (false, "oauth mode without oauth settings") }
            let keys = await keySource.availability()
            if !keys.usable { return (false, "not ready: \(keys.detail)") }
        }
        return (true, "ready \(config.revision ?? "")")
    }

    /// Switches to `config`. The issuer's caches (metadata, keys, introspection answers,
    /// exchanged tokens) are kept when the issuer settings (issuer, `jwksURI`, algorithms,
    /// `issuerCache`) are unchanged.
    func install(_ config: ProxyConfig) {
        let previous = runtime
        if let oauth = config.auth.oauth, oauth.issuerCAFile != issuerCAFile {
            logger.warning("auth.oauth.issuerCAFile differs from the one read at start; it takes effect when mcp-proxy restarts, and the issuer's endpoints keep the trust of the start until then", metadata: [
                "inForce": "\(issuerCAFile ?? "the system store")", "configured": "\(oauth.issuerCAFile ?? "the system store")",
            ])
        }
        let next: ProxyRuntime
        if previous.config.auth.oauth?.issuer == config.auth.oauth?.issuer,
           previous.config.auth.oauth?.jwksURI == config.auth.oauth?.jwksURI,
           previous.config.auth.oauth?.allowedAlgorithms == config.auth.oauth?.allowedAlgorithms,
           previous.config.auth.oauth?.cache == config.auth.oauth?.cache {
            next = ProxyRuntime(
                config: Self.overridden(config, upstreamOverride), keySource: previous.keySource,
                introspector: previous.introspector, exchanger: previous.exchanger, secrets: secrets, activity: previous.activity,
                rateLimiter: previous.rateLimiter
            )
        } else {
            next = Self.runtime(config, client: client, secrets: secrets, upstreamOverride: upstreamOverride, logger: logger, metrics: metrics, keeping: previous)
            Self.warm(next)
        }
        current.withLock { $0 = next }
        metrics.reload(succeeded: true)
        metrics.activeRevision(config.revision ?? "none")
    }

    /// The API watch of the config broke; it is retried, and the config in force keeps serving.
    func watchFailed(source: String, error: String) {
        metrics.watchFailure()
        logger.warning("config watch failed; retrying", metadata: ["error": "\(error)", "source": "\(source)"])
    }

    /// Installs what `load` reads from `source` unless that revision is already in force;
    /// a config that does not load is refused and counted, and the last good one keeps serving.
    func reload(from source: String, _ load: () throws(ConfigLoadError) -> ProxyConfig) {
        do {
            let config = try load()
            if let revision = config.revision, revision == runtime.config.revision { return }
            install(config)
            logger.info("config reloaded", metadata: ["revision": "\(config.revision ?? "none")", "source": "\(source)"])
        } catch {
            metrics.reload(succeeded: false)
            logger.error("config reload refused; the last good config keeps serving", metadata: ["error": "\(error.description)", "source": "\(source)"])
        }
    }

    /// A runtime with new issuer caches; what this replica saw of sessions and its rate
    /// limit buckets are those of `previous`, when there is one.
    private static func runtime(
        _ config: ProxyConfig, client: HTTPClient, secrets: any SecretFiles, upstreamOverride: String?, logger: Logger, metrics: ProxyMetrics,
        keeping previous: ProxyRuntime? = nil
    ) -> ProxyRuntime {
        let activity = previous?.activity ?? SessionActivity()
        let rateLimiter = previous?.rateLimiter ?? RateLimiter()
        guard let oauth = config.auth.oauth else {
            return ProxyRuntime(config: overridden(config, upstreamOverride), keySource: nil, secrets: secrets, activity: activity, rateLimiter: rateLimiter)
        }
        let http = IssuerHTTP(client: client)
        let metadata = AuthorizationServerMetadata(issuer: oauth.issuer, http: http, policy: .init(oauth.cache))
        return ProxyRuntime(
            config: overridden(config, upstreamOverride),
            keySource: JWKSKeySource(http: http, metadata: metadata, oauth: oauth, logger: logger, metrics: metrics),
            introspector: IntrospectionClient(http: http, metadata: metadata, logger: logger),
            exchanger: TokenExchangeClient(http: http, metadata: metadata, logger: logger),
            secrets: secrets, activity: activity, rateLimiter: rateLimiter
        )
    }

    /// Starts loading a new runtime's keys, so the first request finds them loaded.
    private static func warm(_ runtime: ProxyRuntime) {
        guard let keySource = runtime.keySource else { return }
        Task { _ = await keySource.availability() }
    }

    private static func overridden(_ config: ProxyConfig, _ upstream: String?) -> ProxyConfig {
        var config = config
        if let upstream { config.upstream.url = upstream }
        return config
    }
}
