import Foundation
import KubeCore
import MCPPolicy
import MCPProxyConfig
import MCPProxyCore
import MCPRuntimeAPI
import MCPTestSupport
import Testing

/// A request that names an ended agent session is refused whatever its method; the
/// proxy records each use, and a reload keeps what it saw.
@Suite struct SessionEnforcementTests {
    typealias F = PipelineFixture
    static let alice = (name: "X-MCP-Human-ID", value: "alice")
    static let named = (name: "X-MCP-Agent-Session", value: "s1")

    static func config(revoked: Bool = false, idleSeconds: Int = 3600, policyMode: PolicyMode = .allowList) -> ProxyConfig {
        F.config(mode: .header) {
            $0.policy.mode = policyMode
            $0.session.idleTimeoutSeconds = idleSeconds
            $0.sessions = [.init(name: "s1", namespace: "team-a", subject: .init(humanID: "alice", agentID: nil, teamID: nil), consentedTrust: .medium,
                                 expiresAt: nil, revoked: revoked, policyVersion: nil, upstreamTokenFile: nil)]
        }
    }

    static let requests: [InboundRequest] = [
        InboundRequest(method: "GET", path: "/team-a/mcp", headers: [alice, named, (name: "Accept", value: "text/event-stream")]),
        InboundRequest(method: "DELETE", path: "/team-a/mcp", headers: [alice, named]),
        F.post(Data(#"{"jsonrpc":"2.0","id":3,"method":"tools/list"}"#.utf8), headers: [alice, named]),
        F.post(Data(#"{"jsonrpc":"2.0","id":4,"method":"resources/read","params":{"uri":"file:///etc/passwd"}}"#.utf8), headers: [alice, named]),
        F.post(F.call("get_forecast"), headers: [alice, named]),
    ]

    @Test("a revoked session refuses every request that names it, with its id echoed", arguments: requests)
    func revokedEverywhere(request: InboundRequest) async throws {
        let result = await F.runtime(Self.config(revoked: true)).handle(request, now: TestIssuer.now)
        let response = try #require(result.response)
        #expect(response.status == 401)
        #expect(result.audit?.reason == "session_revoked")
        let body = try JSONDecoder().decode(JSONValue.self, from: response.body)
        #expect(body["error"]?["data"]?["reason"] == .string("session_revoked"))
        // Without naming it, the same caller is not refused for it.
        var unnamed = request
        unnamed.headers.removeAll { $0.name == Self.named.name }
        #expect(await F.runtime(Self.config(revoked: true)).handle(unnamed, now: TestIssuer.now).audit?.reason != "session_revoked")
    }

    @Test("idle: each forwarded request is a use; past the idle timeout every method is refused; a reload keeps what was seen")
    func idleAcrossReload() async throws {
        let runtime = F.runtime(Self.config(idleSeconds: 60))
        #expect(await runtime.handle(Self.requests[0], now: TestIssuer.now).forward?.values("X-MCP-Agent-Session") == ["s1"])
        #expect(await runtime.handle(Self.requests[2], now: TestIssuer.now.addingTimeInterval(59)).forward != nil)
        // A reload (here: the same config again) hands the activity on.
        let reloaded = ProxyRuntime(config: Self.config(idleSeconds: 60), keySource: nil, secrets: FakeSecrets(files: [F.secretFile: "s3cret"]), activity: runtime.activity)
        for request in Self.requests {
            let result = await reloaded.handle(request, now: TestIssuer.now.addingTimeInterval(59 + 60))
            #expect(result.response?.status == 401 && result.audit?.reason == "session_idle", "\(request.method)")
        }
    }

    @Test("observe mode records an ended session and lets the request through")
    func observe() async throws {
        let result = await F.runtime(Self.config(revoked: true, policyMode: .observe)).handle(Self.requests[2], now: TestIssuer.now)
        #expect(result.forward != nil)
        #expect(result.audit?.decision == "observe" && result.audit?.reason == "session_revoked")
    }
}
