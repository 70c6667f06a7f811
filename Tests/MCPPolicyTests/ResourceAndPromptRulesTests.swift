import Foundation
import MCPPolicy
import MCPProxyConfig
import MCPRuntimeAPI
import Testing

@Suite struct ResourceAndPromptRulesTests {
    typealias F = PolicyFixture
    static let alice = CallerIdentity(humanID: "alice")

    static func allowed(_ grants: [ProxyConfig.Grant], _ item: GovernedItem, defaultDecision: PolicyDecision = .deny) -> Bool {
        F.policy(grants: grants, defaultDecision: defaultDecision).evaluate(item, caller: alice, now: F.now).allowed
    }

    @Test("a grant without resource or prompt rules gives every resource and prompt, as before rules existed")
    func withoutRules() {
        let grant = F.grant("alice", F.subject(human: "alice"))
        #expect(Self.allowed([grant], .resource("weather://internal/ops")))
        #expect(Self.allowed([grant], .resourceTemplate("weather://internal/station/{id}")))
        #expect(Self.allowed([grant], .prompt("ops_runbook")))
    }

    @Test("with rules, only what an allow rule covers; a deny rule in any grant wins over every allow")
    func rules() {
        let publicOnly = F.grant("public", F.subject(human: "alice"), resources: [.init(uriPrefix: "weather://public/", decision: .allow)])
        #expect(Self.allowed([publicOnly], .resource("weather://public/today")))
        #expect(!Self.allowed([publicOnly], .resource("weather://internal/ops")))
        #expect(Self.allowed([publicOnly], .resourceTemplate("weather://public/city/{name}")), "a template is matched by its text")
        let everything = F.grant("everything", F.subject(human: "alice"))
        #expect(Self.allowed([publicOnly, everything], .resource("weather://internal/ops")), "another grant without rules gives it")
        let denyOps = F.grant("deny", F.subject(human: "alice"), resources: [.init(uriPattern: "weather://**/ops", decision: .deny)])
        #expect(!Self.allowed([everything, denyOps], .resource("weather://internal/ops")))
        #expect(!Self.allowed([everything, denyOps], .resource("weather://internal/ops")), "whatever the order")
        // A grant's deny rule and allow rule both covering a URI: deny, whatever their order.
        let both = F.grant("both", F.subject(human: "alice"), resources: [.init(uriPattern: "weather://**", decision: .allow), .init(uriPrefix: "weather://internal/", decision: .deny)])
        #expect(!Self.allowed([both], .resource("weather://internal/ops")))
        #expect(Self.allowed([both], .resource("weather://public/today")))
        let prompts = F.grant("prompts", F.subject(human: "alice"), prompts: [.init(name: "summary", decision: .allow)])
        #expect(Self.allowed([prompts], .prompt("summary")))
        #expect(!Self.allowed([prompts], .prompt("summary ")), "names compare byte for byte")
        #expect(!Self.allowed([prompts], .prompt("Summary")))
    }

    @Test("resource and prompt rules leave tools as they were, and tool rules leave resources")
    func kindsApart() {
        let grant = F.grant("alice", F.subject(human: "alice"), rules: [.init(name: "read_tool", decision: .allow, requiredTrust: nil)],
                            resources: [.init(uriPrefix: "weather://public/", decision: .allow)], prompts: [.init(name: "summary", decision: .deny)])
        #expect(Self.allowed([grant], .tool("read_tool")))
        #expect(!Self.allowed([grant], .tool("write_tool")))
        #expect(Self.allowed([grant], .resource("weather://public/today")))
    }

    @Test("the default decision applies to a resource no grant gives, as to a tool")
    func defaultDecision() {
        let other = F.grant("bob", F.subject(human: "bob"))
        #expect(!Self.allowed([other], .resource("weather://public/today")))
        #expect(Self.allowed([other], .resource("weather://public/today"), defaultDecision: .allow))
        let publicOnly = F.grant("public", F.subject(human: "alice"), resources: [.init(uriPrefix: "weather://public/", decision: .allow)])
        #expect(Self.allowed([publicOnly], .resource("weather://internal/ops"), defaultDecision: .allow), "not granted: the default decision")
        let denied = F.grant("denied", F.subject(human: "alice"), resources: [.init(uriPrefix: "weather://internal/", decision: .deny)])
        #expect(!Self.allowed([denied], .resource("weather://internal/ops"), defaultDecision: .allow), "a deny rule is never overridden by the default")
    }

    @Test("one standing decides every entry of a list as a call of each would be decided")
    func standingAgreesWithEvaluate() {
        let policy = F.policy(grants: [
            F.grant("alice", F.subject(human: "alice"), maxTrust: .medium, sideEffects: [.read], resources: [.init(uriPrefix: "weather://public/", decision: .allow)]),
        ])
        let standing = policy.callerStanding(of: Self.alice, now: F.now, activity: SessionActivity())
        let items: [GovernedItem] = [.tool("read_tool"), .tool("write_tool"), .tool("nuke"), .tool("undeclared"), .resource("weather://public/a"), .resource("weather://x"), .prompt("p")]
        for item in items {
            #expect(standing.permits(item) == policy.evaluate(item, caller: Self.alice, now: F.now).allowed, "\(item)")
        }
        #expect(items.filter(standing.permits) == [.tool("read_tool"), .resource("weather://public/a"), .prompt("p")])
    }

    @Test("observing, everything is allowed and the enforced outcome is kept")
    func observe() {
        let policy = F.policy(grants: [F.grant("alice", F.subject(human: "alice"), prompts: [.init(name: "summary", decision: .allow)])], mode: .observe)
        let decision = policy.evaluate(.prompt("runbook"), caller: Self.alice, now: F.now)
        #expect(decision.allowed && !decision.enforcedAllowed && decision.reason == .promptNotGranted)
        #expect(!policy.callerStanding(of: Self.alice, now: F.now, activity: SessionActivity()).permits(.prompt("runbook")))
    }
}

@Suite struct URIPatternTests {
    @Test("* stays within a segment, ** crosses them, everything else is itself", arguments: [
        ("file:///reports/*/summary.md", "file:///reports/2026/summary.md", true),
        ("file:///reports/*/summary.md", "file:///reports/2026/12/summary.md", false),
        ("file:///reports/**/summary.md", "file:///reports/2026/12/summary.md", true),
        ("file:///reports/**", "file:///reports/", true),
        ("file:///reports/*", "file:///reports/", true),
        ("weather://*/ops", "weather://internal/ops", true),
        ("weather://*/ops", "weather://internal/ops/x", false),
        ("weather://public/today", "weather://public/today", true),
        ("weather://public/today", "weather://public/today2", false),
        ("weather://public/today", "weather://public/toda", false),
        ("a*b*c", "a/bc", false),
        ("a*b*c", "axxbyyc", true),
        ("m\u{E9}t\u{E9}o://*", "me\u{301}te\u{301}o://x", false),
    ])
    func matches(pattern: String, uri: String, expected: Bool) throws {
        #expect(try #require(URIPattern(pattern)).matches(uri) == expected)
    }

    @Test("an empty pattern and *** are no patterns")
    func invalid() {
        #expect(URIPattern("") == nil)
        #expect(URIPattern("a/***") == nil)
        #expect(URIPattern("**") != nil)
    }
}

@Suite struct ResourceURICheckTests {
    @Test("URIs a server may read as another resource are ambiguous", arguments: [
        "weather://public/../internal/ops", "weather://public/./today", "weather://public/..", "file:///a/%2e%2e/b", "file:///a/%2Fb",
        "file:///a/%5Cb", "file:///a%25", "file:///a%2541", "WEATHER://public/today", "weather://PUBLIC/today", "weather://%50UBLIC/today",
        "file:///a\\b", "file:///a\u{0}b", "file:///a%00b", "file:///a\nb", "file:///a%", "file:///a%zz", "file:///a%FF", "weather:..",
    ])
    func ambiguous(uri: String) {
        #expect(ResourceURICheck.problem(uri) != nil, "\(uri.debugDescription)")
    }

    @Test("ordinary URIs are compared percent-decoded once", arguments: [
        ("weather://public/today", "weather://public/today"), ("file:///reports/2026/summary%20final.md", "file:///reports/2026/summary final.md"),
        ("weather://public/city/Lyon?units=metric", "weather://public/city/Lyon?units=metric"), ("urn:isbn:0451450523", "urn:isbn:0451450523"),
        ("file:///a/..b/c.", "file:///a/..b/c."), ("https://example.com/Path/UPPER", "https://example.com/Path/UPPER"),
        ("weather://public/city/Z%C3%BCrich", "weather://public/city/Z\u{FC}rich"), ("weather://public/city/ops%40hq", "weather://public/city/ops@hq"),
        ("weather://public/%74oday", "weather://public/today"),
    ])
    func ordinary(uri: String, canonical: String) throws {
        #expect(try ResourceURICheck.canonical(uri).get() == canonical, "\(uri)")
    }
}
