import Foundation
import KubeCore
import MCPAuth
import MCPProxyConfig
import MCPProxyCore
import MCPTestSupport
import MCPTokenVerification
import Testing

@Suite struct PipelineTests {
    typealias F = PipelineFixture
    let issuer = TestIssuer.shared
    let challenge401 = #"Bearer resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource/team-a/mcp", scope="mcp:tools""#

    private func handle(_ request: InboundRequest, config: ProxyConfig = F.config(), keys: FakeKeySource? = nil) async -> PipelineResult {
        await F.runtime(config, keys: keys).handle(request, now: TestIssuer.now)
    }

    private func token(_ edit: (inout [String: JSONValue]) -> Void = { _ in }) async throws -> String {
        try await issuer.signRSA(TestIssuer.claims(edit))
    }

    @Test("a valid token and a granted tool: forwarded without the client's token, with the resolved identity and the upstream secret")
    func forwarded() async throws {
        let token = try await token()
        let result = await handle(F.post(F.call("get_forecast"), headers: [
            F.bearer(token), (name: "X-MCP-Human-ID", value: "mallory"), (name: "Cookie", value: "session=abc"),
            (name: "Connection", value: "keep-alive, X-Drop"), (name: "X-Drop", value: "1"), (name: "MCP-Protocol-Version", value: "2025-11-25"),
        ]))
        let plan = try #require(result.forward, "\(String(describing: result.response))")
        #expect(plan.upstreamURL == "http://weather-server.team-a.svc:80/mcp")
        #expect(plan.values("Authorization") == ["Bearer s3cret"])
        #expect(!plan.headers.contains { $0.value.contains(token) })
        #expect(plan.values("X-MCP-Human-ID") == ["alice"])
        #expect(plan.values("X-MCP-Agent-ID") == ["planner"])
        #expect(plan.values("Cookie").isEmpty && plan.values("X-Drop").isEmpty && plan.values("Connection").isEmpty)
        #expect(plan.values("MCP-Protocol-Version") == ["2025-11-25"])
        let audit = try #require(result.audit)
        #expect(audit.decision == "allow" && audit.tool == "get_forecast" && audit.human == "alice" && audit.policyVersion == "v3")
        #expect(audit.tokenFingerprint?.count == 12)
        #expect(!String(decoding: try KubeJSON.encode(audit), as: UTF8.self).contains(token))
    }

    @Test("no token: 401 with resource_metadata and scope, and no error")
    func noToken() async {
        let response = await handle(F.post(F.call("get_forecast"), headers: [])).response
        #expect(response?.status == 401)
        #expect(response?.header("WWW-Authenticate") == challenge401)
        #expect(response?.header("Access-Control-Expose-Headers") == "WWW-Authenticate")
        let body = try? JSONDecoder().decode(JSONValue.self, from: response?.body ?? Data())
        #expect(body?["error"] == .string("unauthorized"), "no credentials, so no error code (RFC 6750 §3.1)")
    }

    @Test("the SSE GET and DELETE need a token too", arguments: ["GET", "DELETE"])
    func everyMethod(method: String) async {
        let response = await handle(InboundRequest(method: method, path: "/team-a/mcp", headers: [(name: "Mcp-Session-Id", value: "abc")])).response
        #expect(response?.status == 401)
    }

    @Test("malformed requests: 400 invalid_request", arguments: [
        ([(name: "Authorization", value: "Bearer")], nil, "empty bearer token"),
        ([(name: "Authorization", value: "Bearer a"), (name: "Authorization", value: "Bearer b")], nil, "more than one credential"),
        ([], "access_token=abc", "token in the query string"),
        ([], "a=1;access_token=abc", "token in the query string"),
        ([], "a=1&ACCESS%5Ftoken=abc", "token in the query string"),
        ([], "access.token=abc", "token in the query string"),
        ([], "access+token=abc", "token in the query string"),
        ([], "access%20token=abc", "token in the query string"),
        ([], "access[token=abc", "token in the query string"),
        ([], "%20access_token=abc", "token in the query string"),
        ([], "access_token[]=abc", "token in the query string"),
    ] as [([(name: String, value: String)], String?, String)])
    func malformed(headers: [(name: String, value: String)], query: String?, description: String) async {
        let response = await handle(F.post(F.call("get_forecast"), headers: headers, query: query)).response
        #expect(response?.status == 400)
        #expect(response?.header("WWW-Authenticate") == challenge401 + #", error="invalid_request", error_description="\#(description)""#)
    }

    @Test("invalid tokens: 401 invalid_token with the same challenge", arguments: [
        ("aud", JSONValue.string("https://mcp.example.com/team-b/mcp")),
        ("iss", .string("https://evil.example.com")),
        ("exp", .int(1_000)),
    ])
    func invalidToken(claim: String, value: JSONValue) async throws {
        let response = await handle(F.post(F.call("get_forecast"), headers: [F.bearer(try await token { $0[claim] = value })])).response
        #expect(response?.status == 401)
        #expect(response?.header("WWW-Authenticate")?.hasPrefix(challenge401 + #", error="invalid_token", error_description=""#) == true)
    }

    @Test("auth.oauth.requireAccessTokenType: typ JWT is 401 invalid_token, at+jwt passes; absent, typ JWT passes")
    func requireAccessTokenType() async throws {
        let strict = F.config { $0.auth.oauth?.requireAccessTokenType = true }
        let plain = try await token()
        let response = await handle(F.post(F.call("get_forecast"), headers: [F.bearer(plain)]), config: strict).response
        #expect(response?.status == 401)
        #expect(response?.header("WWW-Authenticate") == challenge401 + #", error="invalid_token", error_description="the token is not an access token (typ)""#)
        let typed = try await issuer.signRSA(TestIssuer.claims(), header: ["typ": .string("at+jwt")])
        #expect(await handle(F.post(F.call("get_forecast"), headers: [F.bearer(typed)]), config: strict).forward != nil)
        #expect(await handle(F.post(F.call("get_forecast"), headers: [F.bearer(plain)])).forward != nil)
    }

    @Test("lowercase bearer is accepted")
    func lowercaseBearer() async throws {
        let result = await handle(F.post(F.call("get_forecast"), headers: [(name: "authorization", value: "bearer \(try await token())")]))
        #expect(result.forward != nil)
    }

    @Test("an unknown kid refetches the keys once: a rotated key verifies")
    func rotation() async throws {
        let rotated = try VerificationKeys(jwks: issuer.jwks([issuer.rsaJWK(kid: "rsa-2")]), allowed: [.rs256])
        let keys = FakeKeySource(keys: try issuer.keys(), afterRefresh: rotated)
        let token = try await issuer.signRSA(TestIssuer.claims(), kid: "rsa-2")
        let result = await handle(F.post(F.call("get_forecast"), headers: [F.bearer(token)]), keys: keys)
        #expect(result.forward != nil)
        #expect(keys.refreshes == 1)
    }

    @Test("an unknown kid that stays unknown is refused after one refetch")
    func unknownKid() async throws {
        let keys = FakeKeySource(keys: try issuer.keys())
        let token = try await issuer.signRSA(TestIssuer.claims(), kid: "nope")
        #expect(await handle(F.post(F.call("get_forecast"), headers: [F.bearer(token)]), keys: keys).response?.status == 401)
        #expect(keys.refreshes == 1)
    }

    @Test("keys that cannot be loaded: 503, never a pass")
    func keysUnavailable() async throws {
        let response = await handle(F.post(F.call("get_forecast"), headers: [F.bearer(try await token())]), keys: FakeKeySource(keys: nil)).response
        #expect(response?.status == 503)
    }

    @Test("missing required scope: 403 insufficient_scope")
    func insufficientBaseScope() async throws {
        let response = await handle(F.post(F.call("get_forecast"), headers: [F.bearer(try await token { $0["scope"] = .string("openid") })])).response
        #expect(response?.status == 403)
        #expect(response?.header("WWW-Authenticate") == #"Bearer resource_metadata="\#(F.metadataURL)", scope="mcp:tools", error="insufficient_scope""#)
    }

    @Test("a tool's scope missing: 403 insufficient_scope asking for what the token has plus the tool's scope")
    func stepUp() async throws {
        let response = await handle(F.post(F.call("set_alert"), headers: [F.bearer(try await token())])).response
        #expect(response?.status == 403)
        #expect(response?.header("WWW-Authenticate") == #"Bearer resource_metadata="\#(F.metadataURL)", scope="mcp:tools weather:write", error="insufficient_scope""#)
        let allowed = await handle(F.post(F.call("set_alert"), headers: [F.bearer(try await token { $0["scope"] = .string("mcp:tools weather:write") })]))
        #expect(allowed.forward != nil)
    }

    @Test("a policy denial is a JSON-RPC error with the id and reason, never insufficient_scope")
    func policyDenial() async throws {
        let token = try await token { $0["sub"] = .string("bob") }
        let response = try #require(await handle(F.post(F.call("get_forecast", id: 42), headers: [F.bearer(token)])).response)
        #expect(response.status == 403)
        #expect(response.header("WWW-Authenticate") == nil)
        let body = try JSONDecoder().decode(JSONValue.self, from: response.body)
        #expect(body["id"] == .int(42))
        #expect(body["error"]?["data"]?["reason"] == .string("no_matching_grant"))
        #expect(body["error"]?["data"]?["policyVersion"] == .string("v3"))
    }

    @Test("a revoked session: 401 whose challenge has no error")
    func revokedSession() async throws {
        let config = F.config { $0.sessions = [.init(name: "s1", namespace: "team-a", subject: .init(humanID: "alice", agentID: nil, teamID: nil), consentedTrust: nil, expiresAt: nil, revoked: true, policyVersion: nil, upstreamTokenFile: nil)] }
        let response = await handle(F.post(F.call("get_forecast"), headers: [F.bearer(try await token()), (name: "X-MCP-Agent-Session", value: "s1")]), config: config).response
        #expect(response?.status == 401)
        #expect(response?.header("WWW-Authenticate") == challenge401)
    }

    @Test("a live session's own upstream token replaces the configured secret")
    func sessionToken() async throws {
        let file = "/var/run/secrets/mcp-runtime/sessions/s1/token"
        let config = F.config { $0.sessions = [.init(name: "s1", namespace: "team-a", subject: .init(humanID: "alice", agentID: nil, teamID: nil), consentedTrust: .medium, expiresAt: nil, revoked: false, policyVersion: nil, upstreamTokenFile: file)] }
        let runtime = ProxyRuntime(config: config, keySource: FakeKeySource(keys: try issuer.keys()), secrets: FakeSecrets(files: [F.secretFile: "s3cret", file: "alice-upstream"]))
        let result = await runtime.handle(F.post(F.call("get_forecast"), headers: [F.bearer(try await token()), (name: "X-MCP-Agent-Session", value: "s1")]), now: TestIssuer.now)
        let plan = try #require(result.forward)
        #expect(plan.values("Authorization") == ["Bearer alice-upstream"])
        #expect(plan.values("X-MCP-Agent-Session") == ["s1"])
    }

    @Test("an unreadable upstream secret fails the request")
    func secretMissing() async throws {
        let runtime = ProxyRuntime(config: F.config(), keySource: FakeKeySource(keys: try issuer.keys()), secrets: FakeSecrets(files: [:]))
        #expect(await runtime.handle(F.post(F.call("get_forecast"), headers: [F.bearer(try await token())]), now: TestIssuer.now).response?.status == 503)
    }

    @Test("bodies: too large 413, batch 400, not JSON 400, each refused before the upstream")
    func bodies() async throws {
        let bearer = F.bearer(try await token())
        var large = F.post(Data(), headers: [bearer])
        large.bodyTooLarge = true
        #expect(await handle(large).response?.status == 413)
        #expect(await handle(F.post(Data(#"[{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"get_forecast"}}]"#.utf8), headers: [bearer])).response?.status == 400)
        #expect(await handle(F.post(Data("{oops".utf8), headers: [bearer])).response?.status == 400)
    }

    @Test("Origin: a present, unlisted Origin is 403; listed and absent pass", arguments: [
        ([(name: "Origin", value: "https://evil.example.com")], 403),
        ([(name: "Origin", value: "https://chat.example.com"), (name: "Origin", value: "https://evil.example.com")], 403),
        ([(name: "Origin", value: "https://chat.example.com")], 200),
        ([], 200),
    ] as [([(name: String, value: String)], Int)])
    func origin(headers: [(name: String, value: String)], status: Int) async throws {
        let result = await handle(F.post(F.call("get_forecast"), headers: [F.bearer(try await token())] + headers))
        #expect((result.response?.status ?? 200) == status)
    }

    @Test("Protected Resource Metadata is served without a token; the root well-known and other paths are 404")
    func metadata() async throws {
        let get = try #require(await handle(InboundRequest(method: "GET", path: "/.well-known/oauth-protected-resource/team-a/mcp")).response)
        #expect(get.status == 200)
        #expect(get.header("Cache-Control") == "public, max-age=300")
        #expect(get.header("Access-Control-Allow-Origin") == "*")
        let document = try JSONDecoder().decode(JSONValue.self, from: get.body)
        #expect(document["resource"] == .string(TestIssuer.audience))
        let head = await handle(InboundRequest(method: "HEAD", path: "/.well-known/oauth-protected-resource/team-a/mcp")).response
        #expect(head?.status == 200)
        #expect(head?.body.isEmpty == true)
        #expect(await handle(InboundRequest(method: "GET", path: "/.well-known/oauth-protected-resource")).response?.status == 404)
        #expect(await handle(InboundRequest(method: "GET", path: "/team-a/mcp/")).response?.status == 404)
        #expect(await handle(InboundRequest(method: "POST", path: "/.well-known/oauth-protected-resource/team-a/mcp")).response?.status == 405)
    }

    @Test("an unusable server refuses everything with 503 and its reason")
    func unusable() async {
        let response = await handle(InboundRequest(method: "GET", path: "/.well-known/oauth-protected-resource/team-a/mcp"), config: F.config { $0.unusable = "no resource URI" }).response
        #expect(response?.status == 503)
        let body = String(decoding: response?.body ?? Data(), as: UTF8.self)
        #expect(body.contains("no resource URI"))
    }

    @Test("header mode: identity from the trusted headers, the token header never forwarded")
    func headerMode() async throws {
        let request = F.post(F.call("get_forecast"), headers: [(name: "X-MCP-Human-ID", value: "alice"), (name: "Authorization", value: "Bearer client-secret")])
        let plan = try #require(await handle(request, config: F.config(mode: .header)).forward)
        #expect(plan.values("X-MCP-Human-ID") == ["alice"])
        #expect(plan.values("Authorization") == ["Bearer s3cret"])
        let denied = await handle(F.post(F.call("get_forecast"), headers: [(name: "X-MCP-Human-ID", value: "bob")]), config: F.config(mode: .header))
        #expect(denied.response?.status == 403)
        #expect(await handle(F.post(F.call("get_forecast"), headers: []), config: F.config(mode: .header)).response?.status == 401)
    }

    @Test("none mode: no authentication and no governance, but no client credentials upstream and still Origin checks")
    func noneMode() async throws {
        let config = F.config(mode: .none) { $0.upstream.auth = .init(mode: .none) }
        let plan = try #require(await handle(F.post(F.call("anything"), headers: [(name: "Authorization", value: "Bearer client"), (name: "X-MCP-Human-ID", value: "spoofed")]), config: config).forward)
        #expect(plan.values("Authorization").isEmpty)
        #expect(plan.values("X-MCP-Human-ID").isEmpty)
        #expect(await handle(F.post(F.call("x"), headers: [(name: "Origin", value: "https://evil.example.com")]), config: config).response?.status == 403)
    }
}
