import MCPProxyConfig

/// Which OAuth scopes a request needs, and what a 403 `insufficient_scope` challenge
/// asks for: the relevant scopes the token already has plus the missing ones, in the
/// server's catalogue order, so the answer is the same request after request.
public struct ScopePolicy: Sendable {
    /// Needed for every request.
    public let required: [String]
    /// requiredScopes, scopesSupported, then every tool's scopes, without repeats.
    public let catalogue: [String]
    private let toolScopes: [String: [String]]

    public enum Outcome: Sendable, Hashable {
        case sufficient
        /// `challenge` is the `scope` to put in the 403 challenge.
        case insufficient(missing: [String], challenge: [String])
    }

    public init(oauth: ProxyConfig.OAuthSettings, tools: [ProxyConfig.Tool]) {
        required = oauth.requiredScopes
        toolScopes = Dictionary(tools.map { ($0.name, $0.requiredScopes) }, uniquingKeysWith: { first, _ in first })
        var seen: Set<String> = []
        catalogue = (oauth.requiredScopes + oauth.scopesSupported + tools.flatMap(\.requiredScopes)).filter { seen.insert($0).inserted }
    }

    /// Checks a token's scopes for a request; `tool` is set for a `tools/call`.
    public func check(granted: Set<String>, tool: String?) -> Outcome {
        let needed = required + (tool.flatMap { toolScopes[$0] } ?? [])
        let missing = needed.filter { !granted.contains($0) }
        guard !missing.isEmpty else { return .sufficient }
        let wanted = Set(needed).union(granted)
        var seenMissing: Set<String> = []
        return .insufficient(
            missing: missing.filter { seenMissing.insert($0).inserted },
            challenge: catalogue.filter { wanted.contains($0) }
        )
    }
}
