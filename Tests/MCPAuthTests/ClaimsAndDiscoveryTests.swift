import Foundation
import KubeCore
import MCPAuth
import Testing

@Suite struct ClaimsAndDiscoveryTests {
    @Test("scopes from scope and scp, string or array", arguments: [
        (["scope": JSONValue.string("a b")], ["a", "b"]),
        (["scp": .string("a b")], ["a", "b"]),
        (["scp": .array([.string("a"), .string("c")])], ["a", "c"]),
        (["scope": .string("a"), "scp": .array([.string("b")])], ["a", "b"]),
        (["scope": .int(1)], []),
        ([:], []),
    ] as [([String: JSONValue], [String])])
    func scopes(claims: [String: JSONValue], expected: [String]) {
        #expect(TokenClaims(claims).scopes == Set(expected))
    }

    @Test("identity: sub, azp else client_id, the first team claim present, the configured session claim")
    func identity() {
        let claims = TokenClaims(["sub": .string("alice"), "client_id": .string("cli"), "tenant_id": .string("t1"), "tid": .string("t2"), "sid": .string("s"), "agent_session": .string("s1")])
        let identity = claims.identity(teamClaims: ["team_id", "tenant_id", "tid"], sessionClaim: "agent_session")
        #expect(identity.human == "alice" && identity.agent == "cli" && identity.team == "t1" && identity.session == "s1")
        #expect(TokenClaims(["azp": .string("app"), "client_id": .string("cli")]).identity(teamClaims: [], sessionClaim: nil).agent == "app")
    }

    @Test("sid is the identity provider's login session: it names no agent session unless configured")
    func sidIsNoAgentSession() {
        let claims = TokenClaims(["sub": .string("alice"), "sid": .string("keycloak-sso-session")])
        #expect(claims.identity(teamClaims: [], sessionClaim: nil).session == nil)
        #expect(claims.identity(teamClaims: [], sessionClaim: "sid").session == "keycloak-sso-session")
    }

    @Test("only RFC 6749 scope tokens count: a scope with a Kelvin sign is no scope with K")
    func asciiScopes() {
        #expect(TokenClaims(["scope": .string("\u{212A}alendar:write mcp:tools")]).scopes == ["mcp:tools"])
        #expect(!TokenClaims(["scp": .array([.string("\u{212A}alendar:write")])]).scopes.contains("Kalendar:write"))
    }

    @Test("audiences from a string or an array")
    func audiences() {
        #expect(TokenClaims(["aud": .string("x")]).audiences == ["x"])
        #expect(TokenClaims(["aud": .array([.string("x"), .string("y")])]).audiences == ["x", "y"])
        #expect(TokenClaims([:]).audiences == [])
    }

    @Test("authorization server metadata candidates, in the spec's order", arguments: [
        ("https://auth.example.com/tenant1", [
            "https://auth.example.com/.well-known/oauth-authorization-server/tenant1",
            "https://auth.example.com/.well-known/openid-configuration/tenant1",
            "https://auth.example.com/tenant1/.well-known/openid-configuration",
        ]),
        ("https://auth.example.com/tenant1/", [
            "https://auth.example.com/.well-known/oauth-authorization-server/tenant1",
            "https://auth.example.com/.well-known/openid-configuration/tenant1",
            "https://auth.example.com/tenant1/.well-known/openid-configuration",
        ]),
        ("https://auth.example.com", [
            "https://auth.example.com/.well-known/oauth-authorization-server",
            "https://auth.example.com/.well-known/openid-configuration",
        ]),
        ("https://auth.example.com/", [
            "https://auth.example.com/.well-known/oauth-authorization-server",
            "https://auth.example.com/.well-known/openid-configuration",
        ]),
        ("http://127.0.0.1:9400/realms/a/b", [
            "http://127.0.0.1:9400/.well-known/oauth-authorization-server/realms/a/b",
            "http://127.0.0.1:9400/.well-known/openid-configuration/realms/a/b",
            "http://127.0.0.1:9400/realms/a/b/.well-known/openid-configuration",
        ]),
        ("not a url", []),
        ("https://auth.example.com/x?y=1", []),
    ])
    func discovery(issuer: String, expected: [String]) {
        #expect(AuthorizationServerDiscovery.metadataCandidates(issuer: issuer) == expected)
    }
}
