import Foundation
import KubeCore
import MCPProxyConfig
import MCPRuntimeAPI

/// While a server's spec is invalid nothing is rendered for it, and the proxy keeps the
/// config of its last valid generation. Revocations must still reach it: this narrows
/// that config by the grants and sessions as they are now, and never widens it. A grant
/// or session that is gone (or invalid), or whose namespace the server's consent no
/// longer admits, is dropped; one now disabled or revoked is marked so; an expiry only
/// moves earlier. Nothing is added. Pure.
public enum GovernanceNarrowing {
    public static func narrow(_ config: ProxyConfig, grants: [ResolvedGrant], sessions: [ResolvedAgentSession], consent: BindingConsent) -> ProxyConfig {
        let grants = grants.filter { consent.decide($0.namespace) == .admitted }
        let sessions = sessions.filter { consent.decide($0.namespace) == .admitted }
        var narrowed = config
        narrowed.grants = config.grants.compactMap { grant in
            guard let now = grants.first(where: { $0.namespace == grant.namespace && $0.name == grant.name }) else { return nil }
            var grant = grant
            grant.disabled = grant.disabled || now.disabled
            grant.expiresAt = earlier(grant.expiresAt, now.expiresAt)
            return grant
        }
        narrowed.sessions = config.sessions.compactMap { session in
            guard let now = sessions.first(where: { $0.namespace == session.namespace && $0.name == session.name }) else { return nil }
            var session = session
            session.revoked = session.revoked || now.revoked
            session.expiresAt = earlier(session.expiresAt, now.expiresAt)
            return session
        }
        narrowed.revision = narrowed.contentRevision
        return narrowed
    }

    /// The config in a proxy ConfigMap, or nil when it holds none that decodes.
    public static func config(in configMap: ConfigMap) -> ProxyConfig? {
        guard let text = configMap.data?[ObjectDefaults.proxyConfigKey] else { return nil }
        return try? JSONDecoder().decode(ProxyConfig.self, from: Data(text.utf8))
    }

    /// The merge patch that puts `config` into its ConfigMap.
    public static func configMapPatch(_ config: ProxyConfig) -> JSONValue {
        .object([
            "metadata": .object(["annotations": .object([Labels.configRevision: .string(config.revision ?? "")])]),
            "data": .object([ObjectDefaults.proxyConfigKey: .string(ProxyWorkloadRenderer.configText(config))]),
        ])
    }

    private static func earlier(_ rendered: String?, _ now: Date?) -> String? {
        guard let now else { return rendered }
        guard let rendered, let then = Syntax.parseTimestamp(rendered) else { return Syntax.formatTimestamp(now) }
        return then <= now ? rendered : Syntax.formatTimestamp(now)
    }
}
