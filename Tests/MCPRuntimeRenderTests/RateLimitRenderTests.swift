import Foundation
import KubeCore
import MCPProxyConfig
import MCPRuntimeAPI
import MCPRuntimeRender
import Testing

/// Rate limits in the proxy config: each replica's share of the declared limits.
@Suite struct RateLimitRenderTests {
    static let declared = RateLimitsConfig(
        perHuman: RateLimitConfig(requests: 600, intervalSeconds: 60, burst: 100),
        perAgent: RateLimitConfig(requests: 10, intervalSeconds: 1),
        tools: [ToolRateLimitConfig(name: "get_forecast", requests: 2, intervalSeconds: 3600, burst: 1)]
    )

    static func config(replicas: Int, grants: [MCPAccessGrant] = []) throws -> ProxyConfig {
        try RenderTests.render(RenderTests.server { $0.replicas = replicas; $0.rateLimits = declared }, grants: grants).proxyConfig
    }

    static func grant() -> MCPAccessGrant {
        MCPAccessGrant(metadata: ObjectMeta(name: "alice", namespace: "team-a"), spec: MCPAccessGrantSpec(
            serverRef: ServerReference(name: "weather"), subject: SubjectRef(humanID: "alice"), maxTrust: "low", allowedSideEffects: ["read"]))
    }

    @Test("each replica enforces ceil(declared ÷ replicas), at least 1, of requests and burst; the declared values stay beside them")
    func shares() throws {
        let limits = try #require(try Self.config(replicas: 3).rateLimits)
        #expect(limits.replicas == 3)
        #expect(limits.perHuman == ProxyConfig.RateLimit(requests: 200, intervalSeconds: 60, burst: 34, declaredRequests: 600, declaredBurst: 100))
        #expect(limits.perAgent == ProxyConfig.RateLimit(requests: 4, intervalSeconds: 1, burst: 4, declaredRequests: 10, declaredBurst: 10))
        #expect(limits.tools == [ProxyConfig.ToolRateLimit(name: "get_forecast", ProxyConfig.RateLimit(requests: 1, intervalSeconds: 3600, burst: 1, declaredRequests: 2, declaredBurst: 1))])
    }

    @Test("one replica, or none (scaled to zero), enforces the declared limit")
    func single() throws {
        for replicas in [0, 1] {
            let limits = try #require(try Self.config(replicas: replicas).rateLimits)
            #expect(limits.replicas == 1)
            #expect(limits.perHuman?.requests == 600 && limits.perHuman?.burst == 100)
        }
    }

    @Test("a grant's limits are shared the same way; a config without limits has none, so its bytes do not change")
    func grants() throws {
        var grant = Self.grant()
        grant.spec.rateLimits = RateLimitsConfig(perHuman: RateLimitConfig(requests: 6000, intervalSeconds: 60))
        let config = try Self.config(replicas: 2, grants: [grant])
        #expect(config.grants.first?.rateLimits == ProxyConfig.RateLimits(perHuman: .init(requests: 3000, intervalSeconds: 60, burst: 3000, declaredRequests: 6000, declaredBurst: 6000)))
        let plain = try RenderTests.render(RenderTests.server(), grants: [Self.grant()]).proxyConfig
        #expect(plain.rateLimits == nil && plain.grants.first?.rateLimits == nil)
        let text = String(decoding: try JSONEncoder().encode(plain), as: UTF8.self)
        #expect(!text.contains("rateLimits"))
    }

    @Test("the rendered limits load in the proxy; a config with an unusable limit does not")
    func decodes() throws {
        let config = try Self.config(replicas: 2)
        let data = try JSONEncoder().encode(config)
        #expect(try ProxyConfigDecoder.decode(data, source: "test").rateLimits == config.rateLimits)
        var broken = config
        broken.rateLimits?.perHuman?.intervalSeconds = 0
        #expect(throws: ProxyConfigError.self) { try ProxyConfigDecoder.decode(try JSONEncoder().encode(broken), source: "test") }
        broken = config
        broken.grants = [.init(name: "g", namespace: "team-a", subject: .init(humanID: "a", agentID: nil, teamID: nil), maxTrust: nil, allowedSideEffects: [],
                               policyVersion: nil, disabled: false, expiresAt: nil, toolRules: [])]
        broken.grants[0].rateLimits = .init(tools: [.init(name: "t", .init(requests: 1, intervalSeconds: 1, burst: 0))])
        let encoded = try JSONEncoder().encode(broken)
        do throws(ProxyConfigError) {
            _ = try ProxyConfigDecoder.decode(encoded, source: "test")
            Issue.record("a burst of 0 loaded")
        } catch {
            #expect(error.description.contains("grants[0].rateLimits: tools[0]: burst must be from 1"))
        }
    }
}
