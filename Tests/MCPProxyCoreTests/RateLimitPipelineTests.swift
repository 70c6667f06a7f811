import Foundation
import KubeCore
import MCPPolicy
import MCPProxyConfig
import MCPProxyCore
import MCPRuntimeAPI
import MCPTestSupport
import Testing

/// Rate limits in the pipeline: counted after every other check, per caller and per tool;
/// a limited request is 429 with Retry-After and a JSON-RPC error with its id, and is not
/// forwarded; observe mode records and forwards; the buckets survive a reload.
@Suite struct RateLimitPipelineTests {
    typealias F = PipelineFixture
    static let alice = (name: "X-MCP-Human-ID", value: "alice")
    static let bob = (name: "X-MCP-Human-ID", value: "bob")
    static let planner = (name: "X-MCP-Agent-ID", value: "planner")

    static func limit(_ requests: Int, per interval: Int = 60, burst: Int? = nil) -> ProxyConfig.RateLimit {
        ProxyConfig.RateLimit(requests: requests, intervalSeconds: interval, burst: burst ?? requests)
    }

    static func config(_ limits: ProxyConfig.RateLimits?, mode: PolicyMode = .allowList, grantLimits: ProxyConfig.RateLimits? = nil) -> ProxyConfig {
        F.config(mode: .header) {
            $0.policy.mode = mode
            $0.rateLimits = limits
            $0.grants.append(.init(name: "bob", namespace: "team-a", subject: .init(humanID: "bob", agentID: nil, teamID: nil), maxTrust: .medium,
                                   allowedSideEffects: [.read, .write], policyVersion: nil, disabled: false, expiresAt: nil, toolRules: []))
            $0.grants[0].rateLimits = grantLimits
        }
    }

    static func list(id: Int) -> Data {
        Data(#"{"jsonrpc":"2.0","id":\#(id),"method":"tools/list"}"#.utf8)
    }

    @Test("past its burst a caller gets 429 with Retry-After and the JSON-RPC error with its id; another caller is unaffected")
    func perHuman() async throws {
        let runtime = F.runtime(Self.config(.init(perHuman: Self.limit(2, per: 60))))
        for id in 1...2 {
            #expect(await runtime.handle(F.post(Self.list(id: id), headers: [Self.alice]), now: TestIssuer.now).forward != nil)
        }
        let limited = await runtime.handle(F.post(Self.list(id: 3), headers: [Self.alice]), now: TestIssuer.now)
        let response = try #require(limited.response)
        #expect(response.status == 429)
        #expect(response.header("Retry-After") == "30")
        let body = try JSONDecoder().decode(JSONValue.self, from: response.body)
        #expect(body["id"] == .int(3))
        #expect(body["error"]?["code"] == .int(-32001))
        #expect(body["error"]?["data"]?["reason"] == .string("rate_limited_human"))
        #expect(body["error"]?["data"]?["limit"] == .string("perHuman"))
        #expect(body["error"]?["data"]?["retryAfterSeconds"] == .int(30))
        #expect(limited.audit?.decision == "deny" && limited.audit?.reason == "rate_limited_human" && limited.audit?.status == 429)
        #expect(limited.audit?.rateLimit == "perHuman" && limited.audit?.rateLimitGrant == nil)
        #expect(limited.audit?.human == "alice")
        // bob has his own bucket; alice gets a token back after 30 s.
        #expect(await runtime.handle(F.post(Self.list(id: 4), headers: [Self.bob]), now: TestIssuer.now).forward != nil)
        #expect(await runtime.handle(F.post(Self.list(id: 5), headers: [Self.alice]), now: TestIssuer.now.addingTimeInterval(30)).forward != nil)
    }

    @Test("every method counts, and a GET or DELETE is answered with a null id")
    func everyMethod() async throws {
        let runtime = F.runtime(Self.config(.init(perAgent: Self.limit(1, per: 3600))))
        let stream = InboundRequest(method: "GET", path: "/team-a/mcp", headers: [Self.alice, Self.planner, (name: "Accept", value: "text/event-stream")])
        #expect(await runtime.handle(stream, now: TestIssuer.now).forward != nil)
        let result = await runtime.handle(InboundRequest(method: "DELETE", path: "/team-a/mcp", headers: [Self.bob, Self.planner]), now: TestIssuer.now)
        let response = try #require(result.response)
        #expect(response.status == 429 && response.header("Retry-After") == "3600")
        let body = try JSONDecoder().decode(JSONValue.self, from: response.body)
        #expect(body["id"] == .null)
        #expect(result.audit?.reason == "rate_limited_agent")
    }

    @Test("a tool limit counts only calls of that tool, per caller")
    func perTool() async throws {
        let runtime = F.runtime(Self.config(.init(tools: [.init(name: "get_forecast", Self.limit(1, per: 60))])))
        #expect(await runtime.handle(F.post(F.call("get_forecast", id: 1), headers: [Self.alice]), now: TestIssuer.now).forward != nil)
        let limited = await runtime.handle(F.post(F.call("get_forecast", id: 2), headers: [Self.alice]), now: TestIssuer.now)
        #expect(limited.response?.status == 429)
        #expect(limited.audit?.reason == "rate_limited_tool" && limited.audit?.rateLimit == "tools/get_forecast" && limited.audit?.tool == "get_forecast")
        let body = try JSONDecoder().decode(JSONValue.self, from: try #require(limited.response).body)
        #expect(body["id"] == .int(2) && body["error"]?["data"]?["limit"] == .string("tools/get_forecast"))
        // Other methods and other callers are not counted by it.
        #expect(await runtime.handle(F.post(Self.list(id: 3), headers: [Self.alice]), now: TestIssuer.now).forward != nil)
        #expect(await runtime.handle(F.post(F.call("get_forecast", id: 4), headers: [Self.bob]), now: TestIssuer.now).forward != nil)
    }

    @Test("a request refused for another reason is not counted and keeps its own refusal")
    func refusalsFirst() async throws {
        let runtime = F.runtime(Self.config(.init(perHuman: Self.limit(1, per: 3600))))
        // carol has no grant: governance refuses her calls (403), however often.
        let carol = (name: "X-MCP-Human-ID", value: "carol")
        for id in 1...3 {
            let result = await runtime.handle(F.post(F.call("get_forecast", id: id), headers: [carol]), now: TestIssuer.now)
            #expect(result.response?.status == 403 && result.audit?.reason == "no_matching_grant")
        }
        #expect(await runtime.handle(F.post(Self.list(id: 4), headers: [carol]), now: TestIssuer.now).forward != nil)
        #expect(runtime.rateLimiter.trackedKeys == 1)
        // Without any identity nothing is counted.
        for id in 5...7 {
            #expect(await runtime.handle(F.post(Self.list(id: id), headers: []), now: TestIssuer.now).forward != nil)
        }
    }

    @Test("a grant's limit replaces the server's for its subject, and the audit names the grant")
    func grantLimit() async throws {
        let runtime = F.runtime(Self.config(.init(perHuman: Self.limit(1, per: 3600)), grantLimits: .init(perHuman: Self.limit(3, per: 3600))))
        for id in 1...3 {
            #expect(await runtime.handle(F.post(Self.list(id: id), headers: [Self.alice]), now: TestIssuer.now).forward != nil)
        }
        let limited = await runtime.handle(F.post(Self.list(id: 4), headers: [Self.alice]), now: TestIssuer.now)
        #expect(limited.response?.status == 429 && limited.audit?.rateLimitGrant == "team-a/alice")
        #expect(limited.audit?.rateLimit == "perHuman")
        #expect(await runtime.handle(F.post(Self.list(id: 5), headers: [Self.bob]), now: TestIssuer.now).forward != nil)
        #expect(await runtime.handle(F.post(Self.list(id: 6), headers: [Self.bob]), now: TestIssuer.now).response?.status == 429)
    }

    @Test("observe mode forwards a request over its limit and records the limit")
    func observe() async throws {
        let runtime = F.runtime(Self.config(.init(perHuman: Self.limit(1, per: 3600)), mode: .observe))
        #expect(await runtime.handle(F.post(F.call("get_forecast", id: 1), headers: [Self.alice]), now: TestIssuer.now).audit?.decision == "allow")
        let over = await runtime.handle(F.post(F.call("get_forecast", id: 2), headers: [Self.alice]), now: TestIssuer.now)
        #expect(over.forward != nil)
        #expect(over.audit?.decision == "observe" && over.audit?.reason == "rate_limited_human" && over.audit?.rateLimit == "perHuman")
        // A call governance would have refused keeps that reason; the limit is recorded too.
        let carol = (name: "X-MCP-Human-ID", value: "carol")
        _ = await runtime.handle(F.post(Self.list(id: 3), headers: [carol]), now: TestIssuer.now)
        let both = await runtime.handle(F.post(F.call("get_forecast", id: 4), headers: [carol]), now: TestIssuer.now)
        #expect(both.forward != nil && both.audit?.reason == "no_matching_grant" && both.audit?.rateLimit == "perHuman")
    }

    @Test("a reload keeps the buckets: a caller over the limit stays over it")
    func reload() async throws {
        let config = Self.config(.init(perHuman: Self.limit(1, per: 3600)))
        let runtime = F.runtime(config)
        #expect(await runtime.handle(F.post(Self.list(id: 1), headers: [Self.alice]), now: TestIssuer.now).forward != nil)
        var edited = config
        edited.policy.version = "v4"
        let reloaded = ProxyRuntime(config: edited, keySource: nil, secrets: FakeSecrets(files: [F.secretFile: "s3cret"]), activity: runtime.activity, rateLimiter: runtime.rateLimiter)
        let result = await reloaded.handle(F.post(Self.list(id: 2), headers: [Self.alice]), now: TestIssuer.now.addingTimeInterval(60))
        #expect(result.response?.status == 429 && result.response?.header("Retry-After") == "3540")
    }

    @Test("a browser client may read Retry-After")
    func cors() async throws {
        let runtime = F.runtime(Self.config(.init(perHuman: Self.limit(1, per: 60))))
        let origin = (name: "Origin", value: "https://chat.example.com")
        _ = await runtime.handle(F.post(Self.list(id: 1), headers: [Self.alice, origin]), now: TestIssuer.now)
        let limited = await runtime.handle(F.post(Self.list(id: 2), headers: [Self.alice, origin]), now: TestIssuer.now)
        #expect(limited.response?.header("Access-Control-Expose-Headers")?.contains("Retry-After") == true)
    }
}
