import KubeCore
import MCPRuntimeAPI
import Testing

/// `spec.rateLimits` of servers and grants: every bad value reported at its field.
@Suite struct RateLimitValidationTests {
    typealias S = ServerValidationTests

    static let cases: [RuleCase] = [
        S.spec("requests required", "spec.rateLimits.perHuman.requests", .required, "requests per interval is required") {
            $0.rateLimits = RateLimitsConfig(perHuman: RateLimitConfig(intervalSeconds: 60))
        },
        S.spec("interval required", "spec.rateLimits.perAgent.intervalSeconds", .required, "the interval in seconds is required") {
            $0.rateLimits = RateLimitsConfig(perAgent: RateLimitConfig(requests: 10))
        },
        S.spec("requests at least 1", "spec.rateLimits.perHuman.requests", .invalid, "0 is not between 1 and 1000000000") {
            $0.rateLimits = RateLimitsConfig(perHuman: RateLimitConfig(requests: 0, intervalSeconds: 60))
        },
        S.spec("interval at least 1", "spec.rateLimits.perHuman.intervalSeconds", .invalid, "0 is not between 1 and 86400") {
            $0.rateLimits = RateLimitsConfig(perHuman: RateLimitConfig(requests: 10, intervalSeconds: 0))
        },
        S.spec("interval at most a day", "spec.rateLimits.perHuman.intervalSeconds", .invalid, "86401 is not between 1 and 86400") {
            $0.rateLimits = RateLimitsConfig(perHuman: RateLimitConfig(requests: 10, intervalSeconds: 86_401))
        },
        S.spec("burst at least 1", "spec.rateLimits.perAgent.burst", .invalid, "-1 is not between 1") {
            $0.rateLimits = RateLimitsConfig(perAgent: RateLimitConfig(requests: 10, intervalSeconds: 60, burst: -1))
        },
        S.spec("tool limit name", "spec.rateLimits.tools[0].name", .required, "needs the tool's MCP name") {
            $0.rateLimits = RateLimitsConfig(tools: [ToolRateLimitConfig(requests: 1, intervalSeconds: 60)])
        },
        S.spec("tool limit values", "spec.rateLimits.tools[0].requests", .required, "requests per interval is required") {
            $0.rateLimits = RateLimitsConfig(tools: [ToolRateLimitConfig(name: "get_forecast", intervalSeconds: 60)])
        },
        S.spec("tool limit names unique", "spec.rateLimits.tools[1].name", .duplicate, "duplicate tool rate limit \"get_forecast\"") {
            let limit = ToolRateLimitConfig(name: "get_forecast", requests: 1, intervalSeconds: 60)
            $0.rateLimits = RateLimitsConfig(tools: [limit, limit])
        },
        S.spec("tool limit of an undeclared tool", "spec.rateLimits.tools[0].name", .invalid, "\"set_alert\" is not in spec.tools", severity: .warning) {
            $0.rateLimits = RateLimitsConfig(tools: [ToolRateLimitConfig(name: "set_alert", requests: 1, intervalSeconds: 60)])
        },
        S.spec("limits without identities", "spec.rateLimits", .invalid, "no rate limit applies", severity: .warning) {
            $0.auth = AuthConfig(mode: "none")
            $0.rateLimits = RateLimitsConfig(perHuman: RateLimitConfig(requests: 1, intervalSeconds: 60))
        },
    ]

    @Test("each rule reports its field, reason and message", arguments: cases)
    func rule(_ rule: RuleCase) {
        let issues = rule.server.validate()
        let matching = issues.filter { $0.path.description == rule.path && $0.severity == rule.severity }
        #expect(matching.count == 1, "issues: \(issues)")
        guard let issue = matching.first else { return }
        #expect(issue.reason == rule.reason)
        #expect(issue.message.contains(rule.message), "message: \(issue.message)")
    }

    @Test("valid limits resolve as declared; burst defaults to requests")
    func resolves() throws {
        let server = Fixtures.oauthServer {
            $0.rateLimits = RateLimitsConfig(
                perHuman: RateLimitConfig(requests: 600, intervalSeconds: 60, burst: 100),
                perAgent: RateLimitConfig(requests: 120, intervalSeconds: 60),
                tools: [ToolRateLimitConfig(name: "get_forecast", requests: 10, intervalSeconds: 60, burst: 5)]
            )
        }
        let resolution = server.resolve()
        #expect(resolution.issues.isEmpty, "\(resolution.issues)")
        let limits = try #require(resolution.server?.rateLimits)
        #expect(limits.perHuman == ResolvedRateLimit(requests: 600, intervalSeconds: 60, burst: 100))
        #expect(limits.perAgent == ResolvedRateLimit(requests: 120, intervalSeconds: 60, burst: 120))
        #expect(limits.tools == [ResolvedToolRateLimit(name: "get_forecast", limit: ResolvedRateLimit(requests: 10, intervalSeconds: 60, burst: 5))])
        #expect(Fixtures.server().resolve().server?.rateLimits == nil)
    }

    static let grantCases: [(String, MCPAccessGrant, String, String)] = [
        ("requests", Fixtures.grant { $0.rateLimits = RateLimitsConfig(perHuman: RateLimitConfig(requests: 0, intervalSeconds: 60)) }, "spec.rateLimits.perHuman.requests", "0 is not between 1"),
        ("interval", Fixtures.grant { $0.rateLimits = RateLimitsConfig(perAgent: RateLimitConfig(requests: 1)) }, "spec.rateLimits.perAgent.intervalSeconds", "is required"),
        ("burst", Fixtures.grant { $0.rateLimits = RateLimitsConfig(perAgent: RateLimitConfig(requests: 1, intervalSeconds: 1, burst: 0)) }, "spec.rateLimits.perAgent.burst", "0 is not between 1"),
        ("tool name", Fixtures.grant { $0.rateLimits = RateLimitsConfig(tools: [ToolRateLimitConfig(name: "", requests: 1, intervalSeconds: 1)]) }, "spec.rateLimits.tools[0].name", "needs the tool's MCP name"),
    ]

    @Test("grant rules", arguments: grantCases)
    func grantRule(rule: String, grant: MCPAccessGrant, path: String, message: String) {
        let resolution = grant.resolve()
        #expect(resolution.issues.error(at: path)?.message.contains(message) == true, "\(rule): \(resolution.issues)")
        #expect(resolution.value == nil, "an invalid grant grants nothing")
    }

    @Test("a grant's limits resolve; a grant may name any tool (it does not know the server's)")
    func grantResolves() throws {
        let grant = Fixtures.grant {
            $0.rateLimits = RateLimitsConfig(perHuman: RateLimitConfig(requests: 6000, intervalSeconds: 60), tools: [ToolRateLimitConfig(name: "anything", requests: 1, intervalSeconds: 3600)])
        }
        let resolution = grant.resolve()
        #expect(resolution.issues.isEmpty)
        let limits = try #require(resolution.value?.rateLimits)
        #expect(limits.perHuman == ResolvedRateLimit(requests: 6000, intervalSeconds: 60, burst: 6000))
        #expect(limits.tools.map(\.name) == ["anything"])
    }
}
