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
        ("expiry", Fixtures.grant { $0.expiresAt = "tomorrow" }, "spec.expiresAt", "is not an RFC 3339 timestamp"),
        ("policy version", Fixtures.grant { $0.policyVersion = "v 2" }, "spec.policyVersion", "is not a policy version"),
    ]

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
