import MCPPolicy
import MCPProxyConfig
import Testing

@Suite struct ScopePolicyTests {
    let policy = ScopePolicy(
        oauth: ProxyConfig.OAuthSettings(
            issuer: "https://auth.example.com", audience: "https://mcp.example.com/mcp", jwksURI: nil,
            requiredScopes: ["mcp:tools"], scopesSupported: ["mcp:tools", "weather:read"], allowedAlgorithms: [.rs256],
            clockSkewSeconds: 60, teamClaims: ["team_id"], introspection: nil
        ),
        tools: [
            .init(name: "set_alert", requiredTrust: .medium, sideEffect: .write, requiredScopes: ["weather:write"]),
            .init(name: "forecast", requiredTrust: .low, sideEffect: .read, requiredScopes: []),
        ]
    )

    @Test("the catalogue: required, supported, then tool scopes, without repeats")
    func catalogue() {
        #expect(policy.catalogue == ["mcp:tools", "weather:read", "weather:write"])
    }

    @Test("enough scope", arguments: [(["mcp:tools"], nil as String?), (["mcp:tools"], "forecast"), (["mcp:tools", "weather:write"], "set_alert")])
    func sufficient(granted: [String], tool: String?) {
        #expect(policy.check(granted: Set(granted), tool: tool) == .sufficient)
    }

    @Test("missing base scope: the challenge asks for the required scopes")
    func missingBase() {
        #expect(policy.check(granted: ["openid"], tool: nil) == .insufficient(missing: ["mcp:tools"], challenge: ["mcp:tools"]))
    }

    @Test("missing tool scope: the challenge lists the token's relevant scopes plus the missing one")
    func missingToolScope() {
        let outcome = policy.check(granted: ["mcp:tools", "weather:read", "openid"], tool: "set_alert")
        #expect(outcome == .insufficient(missing: ["weather:write"], challenge: ["mcp:tools", "weather:read", "weather:write"]))
    }

    @Test("the challenge does not depend on the order of the token's scopes")
    func stable() {
        let a = policy.check(granted: ["weather:read", "mcp:tools"], tool: "set_alert")
        let b = policy.check(granted: ["mcp:tools", "weather:read"], tool: "set_alert")
        #expect(a == b)
    }
}
