import Foundation
import MCPProxyConfig
import MCPRuntimeAPI

/// A proxy config's governance data, prepared once per config load: timestamps parsed,
/// tools indexed. An unparsable expiry counts as already expired (fail closed).
public struct CompiledPolicy: Sendable {
    public struct Grant: Sendable {
        var config: ProxyConfig.Grant
        var expiresAt: Date?
        /// The resource rules, their patterns parsed (a rule that matches nothing is none).
        var resourceRules: [(match: ResourceMatch, decision: PolicyDecision)] = []
        var key: String { "\(config.namespace)/\(config.name)" }
    }

    public struct Session: Sendable {
        var config: ProxyConfig.AgentSession
        var expiresAt: Date?
        var createdAt: Date?
        public var name: String { config.name }
        /// `namespace/name`: what its activity is recorded under.
        public var key: String { "\(config.namespace)/\(config.name)" }
    }

    let policy: ProxyConfig.PolicySettings
    let sessionRequired: Bool
    let maxLifetime: TimeInterval
    let idleTimeout: TimeInterval
    let tools: [String: ProxyConfig.Tool]
    let grants: [Grant]
    let sessions: [String: [Session]]
    /// Whether any grant has resource rules, so that URIs are compared with them.
    public let hasResourceRules: Bool

    public init(_ config: ProxyConfig) {
        policy = config.policy
        sessionRequired = config.session.required
        maxLifetime = TimeInterval(config.session.maxLifetimeSeconds)
        idleTimeout = TimeInterval(config.session.idleTimeoutSeconds)
        tools = Dictionary(config.tools.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        grants = config.grants.map { grant in
            Grant(config: grant, expiresAt: Self.expiry(grant.expiresAt), resourceRules: grant.resourceRules.compactMap { rule in rule.match.map { ($0, rule.decision) } })
        }
        hasResourceRules = config.grants.contains { !$0.resourceRules.isEmpty }
        sessions = Dictionary(grouping: config.sessions.map {
            // An unparsable creation time counts from the distant past: over its lifetime.
            Session(config: $0, expiresAt: Self.expiry($0.expiresAt), createdAt: $0.createdAt.map { Syntax.parseTimestamp($0) ?? .distantPast })
        }, by: \.config.name)
    }

    /// nil: never expires; `.distantPast`: unparsable, so expired.
    private static func expiry(_ text: String?) -> Date? {
        guard let text else { return nil }
        return Syntax.parseTimestamp(text) ?? .distantPast
    }
}
