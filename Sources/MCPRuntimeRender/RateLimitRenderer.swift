import MCPProxyConfig
import MCPRuntimeAPI

/// The rate limits of a server and of its grants as one proxy replica enforces them: each
/// replica keeps its own buckets (as Envoy's local rate limit does), so each gets
/// `ceil(declared ÷ replicas)`, at least 1, of `requests` and of `burst`; the interval is
/// unchanged. Together the replicas admit the declared limit (or a little more, by the
/// rounding up) when the Service spreads a caller's requests over them; a caller pinned to
/// one replica gets that replica's share. Pure.
enum RateLimitRenderer {
    /// Sets `rateLimits` of `config` and of its grants; nothing when none are declared, so
    /// configs without limits keep their bytes and revisions.
    static func apply(to config: inout ProxyConfig, server: ResolvedServer, grants: [ResolvedGrant]) {
        let replicas = max(server.replicas, 1)
        if let limits = server.rateLimits {
            config.rateLimits = render(limits, replicas: replicas)
            config.rateLimits?.replicas = replicas
        }
        for index in config.grants.indices {
            let rendered = config.grants[index]
            guard let grant = grants.first(where: { $0.namespace == rendered.namespace && $0.name == rendered.name }), let limits = grant.rateLimits else { continue }
            config.grants[index].rateLimits = render(limits, replicas: replicas)
        }
    }

    static func render(_ limits: ResolvedRateLimits, replicas: Int) -> ProxyConfig.RateLimits {
        ProxyConfig.RateLimits(
            perHuman: limits.perHuman.map { share($0, replicas: replicas) },
            perAgent: limits.perAgent.map { share($0, replicas: replicas) },
            tools: limits.tools.isEmpty ? nil : limits.tools.map { ProxyConfig.ToolRateLimit(name: $0.name, share($0.limit, replicas: replicas)) }
        )
    }

    /// One replica's share of a declared limit.
    static func share(_ limit: ResolvedRateLimit, replicas: Int) -> ProxyConfig.RateLimit {
        ProxyConfig.RateLimit(
            requests: part(limit.requests, replicas), intervalSeconds: limit.intervalSeconds, burst: part(limit.burst, replicas),
            declaredRequests: limit.requests, declaredBurst: limit.burst
        )
    }

    /// `ceil(value ÷ replicas)`, at least 1.
    static func part(_ value: Int, _ replicas: Int) -> Int {
        max(1, (value + replicas - 1) / replicas)
    }
}
