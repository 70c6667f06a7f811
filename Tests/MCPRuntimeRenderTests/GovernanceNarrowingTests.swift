import Foundation
import KubeCore
import MCPProxyConfig
import MCPRuntimeAPI
import MCPRuntimeRender
import Testing

@Suite struct GovernanceNarrowingTests {
    static func grant(_ name: String, disabled: Bool = false, expiresAt: String? = nil, maxTrust: String = "low") -> MCPAccessGrant {
        var spec = MCPAccessGrantSpec(serverRef: ServerReference(name: "weather"), subject: SubjectRef(humanID: name), maxTrust: maxTrust, allowedSideEffects: ["read"])
        spec.disabled = disabled
        spec.expiresAt = expiresAt
        return MCPAccessGrant(metadata: ObjectMeta(name: name, namespace: "team-a"), spec: spec)
    }

    static func session(_ name: String, revoked: Bool = false) -> MCPAgentSession {
        MCPAgentSession(metadata: ObjectMeta(name: name, namespace: "team-a"), spec: MCPAgentSessionSpec(serverRef: ServerReference(name: "weather"), subject: SubjectRef(humanID: "alice", agentID: "bot"), revoked: revoked))
    }

    static let consent = BindingConsent(server: ServerKey(namespace: "team-a", name: "weather"), admission: .sameNamespace)

    static func rendered() throws -> ProxyConfig {
        let grants = [grant("alice", expiresAt: "2027-06-01T00:00:00Z"), grant("bob"), grant("carol")]
        return try RenderTests.render(RenderTests.server(), grants: grants, sessions: [session("s1"), session("s2")]).proxyConfig
    }

    @Test("revocations, disables, deletions and earlier expiries reach the last config; nothing is widened or added")
    func narrows() throws {
        let config = try Self.rendered()
        let now = [Self.grant("alice", expiresAt: "2027-01-01T00:00:00Z", maxTrust: "high"), Self.grant("bob", disabled: true), Self.grant("dave")]
        let narrowed = GovernanceNarrowing.narrow(config, grants: now.compactMap { $0.resolve().value }, sessions: [Self.session("s1", revoked: true)].compactMap { $0.resolve().value }, consent: Self.consent)
        #expect(narrowed.grants.map(\.name) == ["alice", "bob"], "carol is gone; dave is not added")
        #expect(narrowed.grants[0].expiresAt == "2027-01-01T00:00:00Z")
        #expect(narrowed.grants[0].maxTrust == .low, "a raised trust ceiling waits for a valid spec")
        #expect(narrowed.grants[1].disabled)
        #expect(narrowed.sessions.map(\.name) == ["s1"])
        #expect(narrowed.sessions[0].revoked)
        #expect(narrowed.revision != config.revision)
        #expect(narrowed.tools == config.tools && narrowed.auth == config.auth)
    }

    @Test("a later expiry does not extend the rendered one; unchanged bindings change nothing")
    func neverExtends() throws {
        let config = try Self.rendered()
        let now = [Self.grant("alice", expiresAt: "2030-01-01T00:00:00Z"), Self.grant("bob"), Self.grant("carol")]
        let narrowed = GovernanceNarrowing.narrow(config, grants: now.compactMap { $0.resolve().value }, sessions: [Self.session("s1"), Self.session("s2")].compactMap { $0.resolve().value }, consent: Self.consent)
        #expect(narrowed == config)
    }

    @Test("a grant or session whose namespace the server no longer admits is dropped from the last config")
    func consentWithdrawn() throws {
        let (grant, session) = RenderTests.crossNamespace()
        let server = RenderTests.server { $0.bindings = BindingsConfig(from: "Selector", namespaceSelector: LabelSelector(matchLabels: ["mcp": "consumer"])) }
        let admitted = NamespaceLabels(["team-b": ["mcp": "consumer"]])
        let own = Self.grant("alice")
        let plan = RenderPlan.make(servers: [server], grants: [own, grant], sessions: [session], namespaces: admitted)
        let config = try #require(plan.rendered.first?.proxyConfig)
        #expect(config.grants.map(\.name) == ["alice", "mallory"] && config.sessions.map(\.name) == ["mallory-bot"])
        let grants = [own, grant].compactMap { $0.resolve().value }, sessions = [session].compactMap { $0.resolve().value }
        let key = ServerKey(namespace: "team-a", name: "weather")

        let still = GovernanceNarrowing.narrow(config, grants: grants, sessions: sessions, consent: BindingConsent(server: key, admission: server.bindingAdmission(), namespaces: admitted))
        #expect(still == config)
        let relabelled = GovernanceNarrowing.narrow(config, grants: grants, sessions: sessions, consent: BindingConsent(server: key, admission: server.bindingAdmission(), namespaces: NamespaceLabels(["team-b": [:]])))
        #expect(relabelled.grants.map(\.name) == ["alice"] && relabelled.sessions.isEmpty, "the namespace lost its label")
        let withdrawn = GovernanceNarrowing.narrow(config, grants: grants, sessions: sessions, consent: BindingConsent(server: key, admission: .sameNamespace, namespaces: admitted))
        #expect(withdrawn.grants.map(\.name) == ["alice"] && withdrawn.sessions.isEmpty, "the owner withdrew the consent")
        #expect(withdrawn.revision != config.revision)
    }

    @Test("the ConfigMap patch carries the config as rendered and its revision")
    func patch() throws {
        let config = try Self.rendered()
        let patch = GovernanceNarrowing.configMapPatch(config)
        #expect(patch["metadata"]?["annotations"]?["mcpruntime.org/config-revision"] == .string(config.revision ?? ""))
        let text = try #require(patch["data"]?["config.json"]?.stringValue)
        #expect(try JSONDecoder().decode(ProxyConfig.self, from: Data(text.utf8)) == config)
        let configMap = ConfigMap(metadata: ObjectMeta(), data: ["config.json": text])
        #expect(GovernanceNarrowing.config(in: configMap) == config)
    }
}
