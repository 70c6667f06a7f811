import Foundation
import MCPPolicy
import MCPProxyConfig
import MCPRuntimeAPI
import Testing

/// Which limits apply to a caller: the server's, or the most generous of the caller's
/// usable matching grants that set one.
@Suite struct RateLimitPolicyTests {
    typealias F = PolicyFixture
    static func limit(_ requests: Int, per interval: Int = 60, burst: Int? = nil) -> ProxyConfig.RateLimit {
        ProxyConfig.RateLimit(requests: requests, intervalSeconds: interval, burst: burst ?? requests)
    }

    static let server = ProxyConfig.RateLimits(
        replicas: 1, perHuman: limit(600), perAgent: limit(120),
        tools: [ProxyConfig.ToolRateLimit(name: "write_tool", limit(10))]
    )

    static func policy(grants: [ProxyConfig.Grant] = [], server: ProxyConfig.RateLimits? = server) -> RateLimitPolicy {
        RateLimitPolicy(F.policy(grants: grants), server: server)
    }

    static func grant(_ name: String, _ subject: ProxyConfig.Subject, _ limits: ProxyConfig.RateLimits?, disabled: Bool = false, expiresAt: String? = nil) -> ProxyConfig.Grant {
        var grant = F.grant(name, subject, disabled: disabled, expiresAt: expiresAt)
        grant.rateLimits = limits
        return grant
    }

    let alice = CallerIdentity(humanID: "alice", agentID: "planner", teamID: "team-a")

    @Test("the server's limits: per human and per agent for every request, per tool for its calls")
    func serverLimits() {
        let policy = Self.policy()
        let plain = policy.limits(for: alice, tool: nil, now: F.now)
        #expect(plain.map(\.name) == ["perHuman", "perAgent"])
        #expect(plain.map(\.limit.requests) == [600, 120])
        #expect(plain.allSatisfy { $0.grant == nil })
        let call = policy.limits(for: alice, tool: "write_tool", now: F.now)
        #expect(call.map(\.name) == ["perHuman", "perAgent", "tools/write_tool"])
        #expect(call.map(\.reason) == ["rate_limited_human", "rate_limited_agent", "rate_limited_tool"])
        // Another tool has no tool limit; an unlisted name matches byte for byte only.
        #expect(policy.limits(for: alice, tool: "read_tool", now: F.now).count == 2)
        #expect(policy.limits(for: alice, tool: "Write_tool", now: F.now).count == 2)
    }

    @Test("only the identities a caller has are counted; a caller without any is never limited")
    func identities() {
        let policy = Self.policy()
        #expect(policy.limits(for: CallerIdentity(humanID: "alice"), tool: nil, now: F.now).map(\.name) == ["perHuman"])
        #expect(policy.limits(for: CallerIdentity(agentID: "bot"), tool: "write_tool", now: F.now).map(\.name) == ["perAgent", "tools/write_tool"])
        #expect(policy.limits(for: CallerIdentity(teamID: "team-a"), tool: "write_tool", now: F.now).map(\.name) == ["tools/write_tool"])
        #expect(policy.limits(for: CallerIdentity(), tool: "write_tool", now: F.now).isEmpty)
        #expect(Self.policy(server: nil).limits(for: alice, tool: "write_tool", now: F.now).isEmpty)
        #expect(Self.policy(server: nil).isEmpty && !Self.policy().isEmpty)
    }

    @Test("per-tool buckets are per caller: another agent of the same human is another caller")
    func toolKeys() {
        let policy = Self.policy()
        let one = policy.limits(for: alice, tool: "write_tool", now: F.now)
        let other = policy.limits(for: CallerIdentity(humanID: "alice", agentID: "critic", teamID: "team-a"), tool: "write_tool", now: F.now)
        #expect(one[0].key == other[0].key, "the human bucket is the human's")
        #expect(one[2].key != other[2].key)
    }

    @Test("a grant raises or lowers a limit for its subjects only; among several the most generous wins")
    func grantsCombine() {
        let raise = Self.grant("raise", F.subject(human: "alice"), .init(perHuman: Self.limit(6000)))
        let lower = Self.grant("lower", F.subject(agent: "planner"), .init(perHuman: Self.limit(60), perAgent: Self.limit(12), tools: [.init(name: "write_tool", Self.limit(1))]))
        let policy = Self.policy(grants: [raise, lower])
        let limits = policy.limits(for: alice, tool: "write_tool", now: F.now)
        #expect(limits.map(\.limit.requests) == [6000, 12, 1])
        #expect(limits.map(\.grant) == ["team-a/raise", "team-a/lower", "team-a/lower"])
        // bob matches neither grant: the server's.
        let bob = policy.limits(for: CallerIdentity(humanID: "bob", agentID: "other"), tool: "write_tool", now: F.now)
        #expect(bob.map(\.limit.requests) == [600, 120, 10] && bob.allSatisfy { $0.grant == nil })
    }

    @Test("generosity is the sustained rate first, then the burst")
    func generosity() {
        let steady = Self.grant("steady", F.subject(human: "alice"), .init(perHuman: Self.limit(120, per: 60, burst: 1)))
        let bursty = Self.grant("bursty", F.subject(human: "alice"), .init(perHuman: Self.limit(1, per: 1, burst: 500)))
        let wider = Self.grant("wider", F.subject(human: "alice"), .init(perHuman: Self.limit(120, per: 60, burst: 2)))
        let chosen = Self.policy(grants: [steady, bursty, wider]).limits(for: alice, tool: nil, now: F.now)[0]
        #expect(chosen.grant == "team-a/wider")
    }

    @Test("a disabled or expired grant sets no limit; a grant without a limit leaves the server's")
    func unusableGrants() {
        let disabled = Self.grant("off", F.subject(human: "alice"), .init(perHuman: Self.limit(1)), disabled: true)
        let expired = Self.grant("old", F.subject(human: "alice"), .init(perHuman: Self.limit(2)), expiresAt: F.past)
        let silent = Self.grant("silent", F.subject(human: "alice"), .init(perAgent: Self.limit(3)))
        let limits = Self.policy(grants: [disabled, expired, silent]).limits(for: alice, tool: nil, now: F.now)
        #expect(limits.map(\.limit.requests) == [600, 3])
        #expect(limits.map(\.grant) == [nil, "team-a/silent"])
    }

    @Test("a grant can set a limit the server does not have")
    func grantOnly() {
        let grant = Self.grant("tight", F.subject(human: "alice"), .init(tools: [.init(name: "nuke", Self.limit(1, per: 3600))]))
        let policy = Self.policy(grants: [grant], server: nil)
        #expect(!policy.isEmpty)
        #expect(policy.limits(for: alice, tool: "nuke", now: F.now).map(\.name) == ["tools/nuke"])
        #expect(policy.limits(for: CallerIdentity(humanID: "bob"), tool: "nuke", now: F.now).isEmpty)
    }
}
