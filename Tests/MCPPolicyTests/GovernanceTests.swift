import Foundation
import MCPPolicy
import MCPProxyConfig
import MCPRuntimeAPI
import Testing

/// A server with three tools, and helpers to give it grants and sessions.
enum PolicyFixture {
    static let now = Date(timeIntervalSince1970: 1_900_000_000)
    static let past = "2020-01-01T00:00:00Z"
    static let future = "2099-01-01T00:00:00Z"

    static func subject(human: String? = nil, agent: String? = nil, team: String? = nil) -> ProxyConfig.Subject {
        ProxyConfig.Subject(humanID: human, agentID: agent, teamID: team)
    }

    static func grant(
        _ name: String, _ subject: ProxyConfig.Subject, maxTrust: TrustLevel? = .medium, sideEffects: [SideEffect] = [.read, .write],
        disabled: Bool = false, expiresAt: String? = nil, rules: [ProxyConfig.ToolRule] = [],
        resources: [ProxyConfig.ResourceRule] = [], prompts: [ProxyConfig.PromptRule] = []
    ) -> ProxyConfig.Grant {
        ProxyConfig.Grant(
            name: name, namespace: "team-a", subject: subject, maxTrust: maxTrust, allowedSideEffects: sideEffects, policyVersion: nil,
            disabled: disabled, expiresAt: expiresAt, toolRules: rules, resourceRules: resources, promptRules: prompts
        )
    }

    static func session(_ name: String, _ subject: ProxyConfig.Subject, trust: TrustLevel? = nil, expiresAt: String? = future, revoked: Bool = false) -> ProxyConfig.AgentSession {
        ProxyConfig.AgentSession(name: name, namespace: "team-a", subject: subject, consentedTrust: trust, expiresAt: expiresAt, revoked: revoked, policyVersion: nil, upstreamTokenFile: nil)
    }

    static func policy(
        grants: [ProxyConfig.Grant], sessions: [ProxyConfig.AgentSession] = [], mode: PolicyMode = .allowList,
        defaultDecision: PolicyDecision = .deny, sessionRequired: Bool = false
    ) -> CompiledPolicy {
        let config = ProxyConfig(
            server: .init(name: "weather", namespace: "team-a", teamID: "team-a"),
            unusable: nil,
            resource: .init(uri: "https://mcp.example.com/mcp", path: "/mcp", metadataPath: nil, metadataURL: nil, name: "weather"),
            auth: .init(mode: .header, tokenHeader: "Authorization", identityHeaders: .init(human: "h", agent: "a", team: "t", session: "s"), allowedOrigins: [], oauth: nil),
            upstream: .init(url: "http://upstream/mcp", auth: .init(mode: .none)),
            limits: .init(maxBodyBytes: 1 << 20),
            policy: .init(mode: mode, defaultDecision: defaultDecision, version: "v7"),
            session: .init(required: sessionRequired, headerName: "s", maxLifetimeSeconds: 86400, idleTimeoutSeconds: 3600, upstreamTokenHeader: "Authorization"),
            tools: [
                .init(name: "read_tool", requiredTrust: .low, sideEffect: .read, requiredScopes: []),
                .init(name: "write_tool", requiredTrust: .medium, sideEffect: .write, requiredScopes: ["weather:write"]),
                .init(name: "nuke", requiredTrust: .high, sideEffect: .destructive, requiredScopes: []),
            ],
            grants: grants, sessions: sessions
        )
        return CompiledPolicy(config)
    }
}

@Suite struct GovernanceTests {
    typealias F = PolicyFixture
    let alice = CallerIdentity(humanID: "alice", agentID: "planner", teamID: "team-a")
    let aliceGrant = F.grant("alice", F.subject(human: "alice"))

    private func decide(_ policy: CompiledPolicy, _ tool: String, _ caller: CallerIdentity) -> GovernanceDecision {
        policy.evaluate(tool: tool, caller: caller, now: F.now)
    }

    @Test("a granted tool within trust is allowed, labelled with the policy version and grant")
    func allowed() {
        let decision = decide(F.policy(grants: [aliceGrant]), "write_tool", alice)
        #expect(decision.allowed && decision.reason == .allowed && decision.status == 200)
        #expect(decision.policyVersion == "v7")
        #expect(decision.grants == ["team-a/alice"])
        #expect(decision.requiredTrust == .medium && decision.effectiveTrust == .medium)
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var policy: CompiledPolicy
        var item: GovernedItem
        var caller: CallerIdentity
        var reason: DecisionReason
        var status: Int
        /// What this replica saw of the sessions.
        var activity = SessionActivity()
        var testDescription: String { name }
    }

    /// Activity in which session `team-a/s1` was last used two hours before `F.now`.
    static func usedTwoHoursAgo() -> SessionActivity {
        let activity = SessionActivity()
        activity.used("team-a/s1", at: F.now.addingTimeInterval(-7200))
        return activity
    }

    static let alice = CallerIdentity(humanID: "alice", agentID: "planner", teamID: "team-a")
    static let aliceGrant = F.grant("alice", F.subject(human: "alice"))

    static let denials: [Case] = [
        Case(name: "no identity", policy: F.policy(grants: [aliceGrant]), item: .tool("read_tool"), caller: CallerIdentity(), reason: .missingIdentity, status: 401),
        Case(name: "session required, none named", policy: F.policy(grants: [aliceGrant], sessionRequired: true), item: .tool("read_tool"), caller: alice, reason: .missingSession, status: 401),
        Case(name: "session required, unknown id", policy: F.policy(grants: [aliceGrant], sessionRequired: true), item: .tool("read_tool"),
             caller: CallerIdentity(humanID: "alice", sessionID: "nope"), reason: .sessionNotFound, status: 401),
        Case(name: "session of someone else", policy: F.policy(grants: [aliceGrant], sessions: [F.session("s1", F.subject(human: "bob"))], sessionRequired: true), item: .tool("read_tool"),
             caller: CallerIdentity(humanID: "alice", sessionID: "s1"), reason: .sessionNotFound, status: 401),
        Case(name: "revoked session", policy: F.policy(grants: [aliceGrant], sessions: [F.session("s1", F.subject(human: "alice"), revoked: true)], sessionRequired: true), item: .tool("read_tool"),
             caller: CallerIdentity(humanID: "alice", sessionID: "s1"), reason: .sessionRevoked, status: 401),
        Case(name: "expired session", policy: F.policy(grants: [aliceGrant], sessions: [F.session("s1", F.subject(human: "alice"), expiresAt: F.past)], sessionRequired: true), item: .tool("read_tool"),
             caller: CallerIdentity(humanID: "alice", sessionID: "s1"), reason: .sessionExpired, status: 401),
        Case(name: "unparsable session expiry counts as expired", policy: F.policy(grants: [aliceGrant], sessions: [F.session("s1", F.subject(human: "alice"), expiresAt: "soon")]), item: .tool("read_tool"),
             caller: CallerIdentity(humanID: "alice", sessionID: "s1"), reason: .sessionExpired, status: 401),
        Case(name: "revoked session even where sessions are optional", policy: F.policy(grants: [aliceGrant], sessions: [F.session("s1", F.subject(human: "alice"), revoked: true)]), item: .tool("read_tool"),
             caller: CallerIdentity(humanID: "alice", sessionID: "s1"), reason: .sessionRevoked, status: 401),
        Case(name: "no grant for the caller", policy: F.policy(grants: [F.grant("bob", F.subject(human: "bob"))]), item: .tool("read_tool"), caller: alice, reason: .noMatchingGrant, status: 403),
        Case(name: "every field of a subject must match", policy: F.policy(grants: [F.grant("alice-other-team", F.subject(human: "alice", team: "team-b"))]), item: .tool("read_tool"), caller: alice, reason: .noMatchingGrant, status: 403),
        Case(name: "disabled grant", policy: F.policy(grants: [F.grant("alice", F.subject(human: "alice"), disabled: true)]), item: .tool("read_tool"), caller: alice, reason: .grantRevoked, status: 403),
        Case(name: "expired grant", policy: F.policy(grants: [F.grant("alice", F.subject(human: "alice"), expiresAt: F.past)]), item: .tool("read_tool"), caller: alice, reason: .grantExpired, status: 403),
        Case(name: "deny rule", policy: F.policy(grants: [F.grant("alice", F.subject(human: "alice"), rules: [.init(name: "read_tool", decision: .deny, requiredTrust: nil)])]), item: .tool("read_tool"), caller: alice, reason: .toolDenied, status: 403),
        Case(name: "deny rule wins over another grant's allow", policy: F.policy(grants: [aliceGrant, F.grant("team", F.subject(team: "team-a"), rules: [.init(name: "read_tool", decision: .deny, requiredTrust: nil)])]),
             item: .tool("read_tool"), caller: alice, reason: .toolDenied, status: 403),
        Case(name: "rules that do not name the tool", policy: F.policy(grants: [F.grant("alice", F.subject(human: "alice"), rules: [.init(name: "write_tool", decision: .allow, requiredTrust: nil)])]), item: .tool("read_tool"), caller: alice, reason: .toolNotGranted, status: 403),
        Case(name: "unlisted tool: unknown side effect", policy: F.policy(grants: [aliceGrant]), item: .tool("mystery"), caller: alice, reason: .toolSideEffectUnknown, status: 403),
        Case(name: "side effect not allowed", policy: F.policy(grants: [F.grant("alice", F.subject(human: "alice"), maxTrust: .high)]), item: .tool("nuke"), caller: alice, reason: .sideEffectNotAllowed, status: 403),
        Case(name: "empty side effects allow none", policy: F.policy(grants: [F.grant("alice", F.subject(human: "alice"), sideEffects: [])]), item: .tool("read_tool"), caller: alice, reason: .sideEffectNotAllowed, status: 403),
        Case(name: "grant without trust", policy: F.policy(grants: [F.grant("alice", F.subject(human: "alice"), maxTrust: nil)]), item: .tool("read_tool"), caller: alice, reason: .grantWithoutTrust, status: 403),
        Case(name: "trust below the tool's", policy: F.policy(grants: [F.grant("alice", F.subject(human: "alice"), maxTrust: .low)]), item: .tool("write_tool"), caller: alice, reason: .trustTooLow, status: 403),
        Case(name: "a rule raises the required trust", policy: F.policy(grants: [F.grant("alice", F.subject(human: "alice"), rules: [.init(name: "read_tool", decision: .allow, requiredTrust: .high)])]), item: .tool("read_tool"), caller: alice, reason: .trustTooLow, status: 403),
        Case(name: "session past its lifetime", policy: F.policy(grants: [aliceGrant], sessions: [{
            var session = F.session("s1", F.subject(human: "alice"))
            session.createdAt = "2020-01-01T00:00:00Z"
            return session
        }()]), item: .tool("read_tool"), caller: CallerIdentity(humanID: "alice", sessionID: "s1"), reason: .sessionLifetimeExceeded, status: 401),
        Case(name: "idle session", policy: F.policy(grants: [aliceGrant], sessions: [F.session("s1", F.subject(human: "alice"))]), item: .tool("read_tool"),
             caller: CallerIdentity(humanID: "alice", sessionID: "s1"), reason: .sessionIdle, status: 401, activity: usedTwoHoursAgo()),
        Case(name: "the session's consent caps trust", policy: F.policy(grants: [aliceGrant], sessions: [F.session("s1", F.subject(human: "alice"), trust: .low)]), item: .tool("write_tool"),
             caller: CallerIdentity(humanID: "alice", sessionID: "s1"), reason: .trustTooLow, status: 403),
        Case(name: "a deny resource rule", policy: F.policy(grants: [F.grant("alice", F.subject(human: "alice"), resources: [.init(uriPrefix: "weather://", decision: .allow), .init(uriPattern: "weather://*/ops", decision: .deny)])]),
             item: .resource("weather://internal/ops"), caller: alice, reason: .resourceDenied, status: 403),
        Case(name: "resource rules that do not cover the URI", policy: F.policy(grants: [F.grant("alice", F.subject(human: "alice"), resources: [.init(uriPrefix: "weather://public/", decision: .allow)])]),
             item: .resource("weather://internal/ops"), caller: alice, reason: .resourceNotGranted, status: 403),
        Case(name: "a deny prompt rule", policy: F.policy(grants: [F.grant("alice", F.subject(human: "alice"), prompts: [.init(name: "runbook", decision: .deny)]), aliceGrant]),
             item: .prompt("runbook"), caller: alice, reason: .promptDenied, status: 403),
        Case(name: "prompt rules without the prompt", policy: F.policy(grants: [F.grant("alice", F.subject(human: "alice"), prompts: [.init(name: "summary", decision: .allow)])]),
             item: .prompt("runbook"), caller: alice, reason: .promptNotGranted, status: 403),
        Case(name: "resources need an identity too", policy: F.policy(grants: [aliceGrant]), item: .resource("weather://public/today"), caller: CallerIdentity(), reason: .missingIdentity, status: 401),
    ]

    @Test("each denial has its reason and status", arguments: denials)
    func denial(_ rule: Case) {
        let decision = rule.policy.evaluate(rule.item, caller: rule.caller, now: F.now, activity: rule.activity)
        #expect(!decision.allowed)
        #expect(decision.reason == rule.reason)
        #expect(decision.status == rule.status)
    }

    @Test("every reason is reachable by some case")
    func reasonsCovered() {
        let covered = Set(Self.denials.map(\.reason) + [.allowed])
        #expect(covered == Set(DecisionReason.allCases))
    }

    @Test("the default decision applies where the reference says so", arguments: [
        (DecisionReason.noMatchingGrant, [F.grant("bob", F.subject(human: "bob"))], "read_tool"),
        (.toolNotGranted, [F.grant("alice", F.subject(human: "alice"), rules: [.init(name: "x", decision: .allow, requiredTrust: nil)])], "read_tool"),
        (.grantWithoutTrust, [F.grant("alice", F.subject(human: "alice"), maxTrust: nil)], "read_tool"),
    ])
    func defaultAllow(reason: DecisionReason, grants: [ProxyConfig.Grant], tool: String) {
        let decision = F.policy(grants: grants, defaultDecision: .allow).evaluate(tool: tool, caller: Self.alice, now: F.now)
        #expect(decision.allowed && decision.reason == reason)
    }

    @Test("explicit denials ignore a default of allow")
    func explicitDenials() {
        let policy = F.policy(grants: [F.grant("alice", F.subject(human: "alice"), maxTrust: .low)], defaultDecision: .allow)
        #expect(policy.evaluate(tool: "write_tool", caller: Self.alice, now: F.now).reason == .trustTooLow)
        #expect(!policy.evaluate(tool: "write_tool", caller: Self.alice, now: F.now).allowed)
    }

    @Test("observe mode allows but records the enforced outcome")
    func observe() {
        let decision = F.policy(grants: [], mode: .observe).evaluate(tool: "nuke", caller: Self.alice, now: F.now)
        #expect(decision.allowed)
        #expect(!decision.enforcedAllowed)
        #expect(decision.reason == .noMatchingGrant)
    }

    @Test("expiry is checked at request time, not at load time")
    func expiryAtRequestTime() {
        let policy = F.policy(grants: [F.grant("alice", F.subject(human: "alice"), expiresAt: "2030-01-01T00:00:00Z")])
        let before = Date(timeIntervalSince1970: 1_893_455_999)
        #expect(policy.evaluate(tool: "read_tool", caller: Self.alice, now: before).allowed)
        #expect(policy.evaluate(tool: "read_tool", caller: Self.alice, now: before.addingTimeInterval(1)).reason == .grantExpired)
    }

    @Test("the highest trust among grants allowing the side effect counts")
    func highestTrust() {
        let policy = F.policy(grants: [F.grant("low", F.subject(human: "alice"), maxTrust: .low), F.grant("team", F.subject(team: "team-a"), maxTrust: .medium)])
        let decision = policy.evaluate(tool: "write_tool", caller: Self.alice, now: F.now)
        #expect(decision.allowed)
        #expect(decision.grants == ["team-a/low", "team-a/team"])
        #expect(decision.effectiveTrust == .medium)
    }

    @Test("a live session within its consent allows and is named")
    func liveSession() {
        let policy = F.policy(grants: [aliceGrant], sessions: [F.session("s1", F.subject(human: "alice", agent: "planner"), trust: .medium)], sessionRequired: true)
        let decision = policy.evaluate(tool: "write_tool", caller: CallerIdentity(humanID: "alice", agentID: "planner", sessionID: "s1"), now: F.now)
        #expect(decision.allowed)
        #expect(decision.session == "s1")
    }
}
