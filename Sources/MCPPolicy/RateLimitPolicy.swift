import Foundation
import MCPProxyConfig

/// One limit that applies to a request: which, from where, and its bucket.
public struct AppliedRateLimit: Sendable, Hashable {
    public enum Scope: Sendable, Hashable {
        /// The caller's human ID, every request.
        case human
        /// The caller's agent ID, every request.
        case agent
        /// `tools/call` of this tool, per caller (human, agent and team together).
        case tool(String)
    }

    public var scope: Scope
    /// This replica's share of the declared limit.
    public var limit: ProxyConfig.RateLimit
    /// `namespace/name` of the grant whose limit this is; nil: the server's.
    public var grant: String?
    public var key: RateLimitKey

    /// The reason of a limited request in audit lines, metrics and the JSON-RPC error:
    /// `rate_limited_human`, `rate_limited_agent` or `rate_limited_tool`.
    public var reason: String {
        switch scope {
        case .human: "rate_limited_human"
        case .agent: "rate_limited_agent"
        case .tool: "rate_limited_tool"
        }
    }

    /// Which limit, as the spec names it: `perHuman`, `perAgent` or `tools/<name>`.
    public var name: String {
        switch scope {
        case .human: "perHuman"
        case .agent: "perAgent"
        case .tool(let tool): "tools/\(tool)"
        }
    }
}

/// Which rate limits apply to a request, from a proxy config: prepared once per config
/// load. For each limit (per human, per agent, per tool) the caller's usable matching
/// grants that set it decide, the most generous one winning (the higher sustained rate,
/// then the larger burst); when none sets it, the server's applies; when neither, there is
/// no such limit. A grant can so raise a limit, lower it, or set one the server does not
/// have, for its subjects only. Pure.
public struct RateLimitPolicy: Sendable {
    let server: ProxyConfig.RateLimits?
    /// The config's grants that set any limit.
    let grants: [CompiledPolicy.Grant]

    public init(_ policy: CompiledPolicy, server: ProxyConfig.RateLimits?) {
        self.server = server
        grants = policy.grants.filter { $0.config.rateLimits != nil }
    }

    /// True when no request is ever limited.
    public var isEmpty: Bool {
        grants.isEmpty && server.map { $0.perHuman == nil && $0.perAgent == nil && ($0.tools ?? []).isEmpty } ?? true
    }

    /// The limits for a request of `caller`; `tool` is set for a `tools/call`. None for a
    /// caller without any identity (there is no one to count).
    public func limits(for caller: CallerIdentity, tool: String?, now: Date) -> [AppliedRateLimit] {
        guard caller.isIdentified, !isEmpty else { return [] }
        let usable = grants.filter { CompiledPolicy.matches($0.config.subject, caller) && $0.isUsable(at: now) }
        var applied: [AppliedRateLimit] = []
        func add(_ scope: AppliedRateLimit.Scope, key: [String], _ select: (ProxyConfig.RateLimits) -> ProxyConfig.RateLimit?) {
            let fromGrants = usable.compactMap { grant in grant.config.rateLimits.flatMap(select).map { (limit: $0, grant: Optional(grant.key)) } }
            let chosen = fromGrants.max { Self.lessGenerous($0.limit, $1.limit) } ?? server.flatMap(select).map { (limit: $0, grant: nil) }
            if let chosen { applied.append(AppliedRateLimit(scope: scope, limit: chosen.limit, grant: chosen.grant, key: RateLimitKey(key))) }
        }
        if let human = caller.humanID { add(.human, key: ["human", human]) { $0.perHuman } }
        if let agent = caller.agentID { add(.agent, key: ["agent", agent]) { $0.perAgent } }
        if let tool {
            let caller = [caller.humanID ?? "", caller.agentID ?? "", caller.teamID ?? ""]
            add(.tool(tool), key: ["tool", tool] + caller) { limits in
                limits.tools?.first { CompiledPolicy.same($0.name, tool) }?.limit
            }
        }
        return applied
    }

    /// Whether `a` admits less than `b`: a lower sustained rate, or the same with a smaller burst.
    static func lessGenerous(_ a: ProxyConfig.RateLimit, _ b: ProxyConfig.RateLimit) -> Bool {
        let rateA = Double(a.requests) * Double(b.intervalSeconds), rateB = Double(b.requests) * Double(a.intervalSeconds)
        return rateA != rateB ? rateA < rateB : a.burst < b.burst
    }
}

extension CompiledPolicy.Grant {
    /// Not disabled and not expired at `now`: what governance counts too.
    func isUsable(at now: Date) -> Bool {
        !config.disabled && !(expiresAt.map { now >= $0 } ?? false)
    }
}
