import Foundation
import KubeCore
import MCPRuntimeAPI
import Testing

@Suite struct BindingValidationTests {
    @Test("valid fixtures resolve")
    func valid() throws {
        let grant = try #require(Fixtures.grant().resolve().value)
        #expect(grant.server == ServerKey(namespace: "team-a", name: "weather"))
        #expect(grant.maxTrust == .medium)
        #expect(grant.allowedSideEffects == [.read])
        let session = try #require(Fixtures.session().resolve().value)
        #expect(session.expiresAt == Syntax.parseTimestamp("2030-01-01T00:00:00Z"))
        #expect(!session.revoked)
    }

    @Test("serverRef.namespace defaults to the object's own")
    func serverNamespace() throws {
        let grant = Fixtures.grant { $0.serverRef?.namespace = "tools" }
        let elsewhere = try #require(grant.resolve().value)
        #expect(elsewhere.server.namespace == "tools")
        let local = try #require(Fixtures.grant().resolve().value)
        #expect(local.server.namespace == "team-a")
    }

    static let grantCases: [(String, MCPAccessGrant, String, String)] = [
        ("serverRef", Fixtures.grant { $0.serverRef = nil }, "spec.serverRef.name", "the MCPServer this applies to is required"),
        ("empty subject", Fixtures.grant { $0.subject = SubjectRef(humanID: "") }, "spec.subject", "at least one of humanID, agentID or teamID"),
        ("team id", Fixtures.grant { $0.subject?.teamID = "team a" }, "spec.subject.teamID", "stable identifier"),
        ("max trust", Fixtures.grant { $0.maxTrust = "total" }, "spec.maxTrust", "unsupported value \"total\""),
        ("side effect", Fixtures.grant { $0.allowedSideEffects = ["delete"] }, "spec.allowedSideEffects[0]", "unsupported value \"delete\""),
        ("duplicate side effect", Fixtures.grant { $0.allowedSideEffects = ["read", "read"] }, "spec.allowedSideEffects[1]", "duplicate side effect"),
        ("rule name", Fixtures.grant { $0.toolRules = [ToolRule(decision: "deny")] }, "spec.toolRules[0].name", "needs the tool's name"),
        ("rule decision", Fixtures.grant { $0.toolRules = [ToolRule(name: "t")] }, "spec.toolRules[0].decision", "needs a decision"),
        ("rule decision value", Fixtures.grant { $0.toolRules = [ToolRule(name: "t", decision: "maybe")] }, "spec.toolRules[0].decision", "unsupported value \"maybe\""),
        ("duplicate rule", Fixtures.grant { $0.toolRules = [ToolRule(name: "t", decision: "deny"), ToolRule(name: "t", decision: "allow")] }, "spec.toolRules[1].name", "duplicate tool rule"),
        ("resource rule without a match", Fixtures.grant { $0.resourceRules = [ResourceRule(decision: "allow")] }, "spec.resourceRules[0].uriPrefix", "needs a non-empty uriPrefix or uriPattern"),
        ("resource rule with an empty prefix", Fixtures.grant { $0.resourceRules = [ResourceRule(uriPrefix: "", decision: "allow")] }, "spec.resourceRules[0].uriPrefix", "needs a non-empty uriPrefix or uriPattern"),
        ("resource rule with both", Fixtures.grant { $0.resourceRules = [ResourceRule(uriPrefix: "a", uriPattern: "b", decision: "allow")] }, "spec.resourceRules[0]", "not both"),
        ("resource rule pattern", Fixtures.grant { $0.resourceRules = [ResourceRule(uriPattern: "a/***", decision: "allow")] }, "spec.resourceRules[0].uriPattern", "is not a URI pattern"),
        ("resource rule with a %", Fixtures.grant { $0.resourceRules = [ResourceRule(uriPrefix: "file:///a%20b", decision: "deny")] }, "spec.resourceRules[0].uriPrefix", "has a %"),
        ("resource rule decision", Fixtures.grant { $0.resourceRules = [ResourceRule(uriPrefix: "a")] }, "spec.resourceRules[0].decision", "a resource rule needs a decision"),
        ("duplicate resource rule", Fixtures.grant { $0.resourceRules = [ResourceRule(uriPrefix: "a", decision: "allow"), ResourceRule(uriPrefix: "a", decision: "deny")] }, "spec.resourceRules[1]", "duplicate resource rule"),
        ("prompt rule name", Fixtures.grant { $0.promptRules = [PromptRule(decision: "deny")] }, "spec.promptRules[0].name", "needs the prompt's name"),
        ("prompt rule decision value", Fixtures.grant { $0.promptRules = [PromptRule(name: "p", decision: "maybe")] }, "spec.promptRules[0].decision", "unsupported value \"maybe\""),
        ("duplicate prompt rule", Fixtures.grant { $0.promptRules = [PromptRule(name: "p", decision: "deny"), PromptRule(name: "p", decision: "allow")] }, "spec.promptRules[1].name", "duplicate prompt rule"),
        ("expiry", Fixtures.grant { $0.expiresAt = "tomorrow" }, "spec.expiresAt", "is not an RFC 3339 timestamp"),
        ("policy version", Fixtures.grant { $0.policyVersion = "v 2" }, "spec.policyVersion", "is not a policy version"),
    ]

    @Test("resource and prompt rules resolve in their order, each with what it matches")
    func resourceAndPromptRules() throws {
        let grant = Fixtures.grant {
            $0.resourceRules = [ResourceRule(uriPrefix: "weather://public/", decision: "allow"), ResourceRule(uriPattern: "weather://*/ops", decision: "deny")]
            $0.promptRules = [PromptRule(name: "summary", decision: "allow")]
        }
        let resolved = try #require(grant.resolve().value)
        #expect(resolved.resourceRules == [
            ResolvedResourceRule(match: .prefix("weather://public/"), decision: .allow),
            ResolvedResourceRule(match: .pattern(try #require(URIPattern("weather://*/ops"))), decision: .deny),
        ])
        #expect(resolved.promptRules == [ResolvedPromptRule(name: "summary", decision: .allow)])
        #expect(try #require(Fixtures.grant().resolve().value).resourceRules.isEmpty, "absent: none, so every resource")
    }

    @Test("grant rules", arguments: grantCases)
    func grantRule(rule: String, grant: MCPAccessGrant, path: String, message: String) {
        let resolution = grant.resolve()
        let issue = resolution.issues.error(at: path)
        #expect(issue?.message.contains(message) == true, "\(rule): \(resolution.issues)")
        #expect(resolution.value == nil, "an invalid grant grants nothing")
    }

    static let sessionCases: [(String, MCPAgentSession, String, String)] = [
        ("serverRef", Fixtures.session { $0.serverRef = ServerReference(name: "") }, "spec.serverRef.name", "is required"),
        ("subject", Fixtures.session { $0.subject = nil }, "spec.subject", "at least one of"),
        ("trust", Fixtures.session { $0.consentedTrust = "max" }, "spec.consentedTrust", "unsupported value \"max\""),
        ("expiry", Fixtures.session { $0.expiresAt = "2030-13-01" }, "spec.expiresAt", "is not an RFC 3339 timestamp"),
        ("token secret name", Fixtures.session { $0.upstreamTokenSecretRef = SecretKeyRef(key: "token") }, "spec.upstreamTokenSecretRef.name", "the Secret's name is required"),
        ("token secret key", Fixtures.session { $0.upstreamTokenSecretRef = SecretKeyRef(name: "tok") }, "spec.upstreamTokenSecretRef.key", "the key within the Secret is required"),
    ]

    @Test("session rules", arguments: sessionCases)
    func sessionRule(rule: String, session: MCPAgentSession, path: String, message: String) {
        let resolution = session.resolve()
        #expect(resolution.issues.error(at: path)?.message.contains(message) == true, "\(rule): \(resolution.issues)")
        #expect(resolution.value == nil)
    }
}
