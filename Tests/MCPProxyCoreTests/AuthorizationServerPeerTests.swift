import Foundation
import KubeCore
import MCPProxyConfig
import MCPProxyCore
import MCPTestSupport
import MCPTokenVerification
import Synchronization
import Testing

/// Answers introspection from a table; records what it was asked.
final class FakeIntrospector: TokenIntrospector {
    let answers: [String: [String: JSONValue]]
    let asked = Mutex<[(token: String, credentials: ClientCredentials)]>([])

    init(_ answers: [String: [String: JSONValue]]) {
        self.answers = answers
    }

    func introspect(_ token: String, credentials: ClientCredentials) async throws -> [String: JSONValue] {
        asked.withLock { $0.append((token, credentials)) }
        guard let answer = answers[token] else { throw URLError(.cannotConnectToHost) }
        return answer
    }
}

/// Exchanges for `exchanged-<subject>` or fails as told; records the requests.
final class FakeExchanger: TokenExchanger {
    let failure: TokenExchangeFailure?
    let asked = Mutex<[(request: TokenExchangeRequest, credentials: ClientCredentials)]>([])

    init(failure: TokenExchangeFailure? = nil) {
        self.failure = failure
    }

    func exchange(_ request: TokenExchangeRequest, credentials: ClientCredentials) async throws(TokenExchangeFailure) -> String {
        asked.withLock { $0.append((request, credentials)) }
        if let failure { throw failure }
        return "exchanged-for-upstream"
    }
}

@Suite struct IntrospectionTests {
    typealias F = PipelineFixture
    static let secretFile = "/var/run/secrets/mcp-runtime/introspection/client-secret"
    static let now = Int64(TestIssuer.now.timeIntervalSince1970)

    static func answer(_ edit: (inout [String: JSONValue]) -> Void = { _ in }) -> [String: JSONValue] {
        var answer: [String: JSONValue] = [
            "active": .bool(true), "iss": .string(TestIssuer.issuer), "aud": .array([.string(TestIssuer.audience), .string("mcp-proxy")]),
            "sub": .string("alice"), "client_id": .string("planner"), "scope": .string("mcp:tools"), "exp": .int(now + 300),
        ]
        edit(&answer)
        return answer
    }

    let config = F.config { $0.auth.oauth?.introspection = .init(clientID: "mcp-proxy", clientSecretFile: IntrospectionTests.secretFile) }

    func handle(_ token: String, introspector: FakeIntrospector, config: ProxyConfig? = nil, secrets: [String: String]? = nil) async -> PipelineResult {
        let runtime = ProxyRuntime(
            config: config ?? self.config, keySource: FakeKeySource(keys: try? TestIssuer.shared.keys()), introspector: introspector,
            secrets: FakeSecrets(files: secrets ?? [F.secretFile: "s3cret", Self.secretFile: "proxy-secret\n"])
        )
        return await runtime.handle(F.post(F.call("get_forecast"), headers: [F.bearer(token)]), now: TestIssuer.now)
    }

    @Test("an active opaque token for this resource is forwarded with the identity from the answer, asked with the proxy's own credentials")
    func active() async throws {
        let introspector = FakeIntrospector(["opaque-1": Self.answer()])
        let result = await handle("opaque-1", introspector: introspector)
        let plan = try #require(result.forward, "\(String(describing: result.response?.status))")
        #expect(plan.values("X-MCP-Human-ID") == ["alice"] && plan.values("X-MCP-Agent-ID") == ["planner"])
        #expect(plan.values("Authorization") == ["Bearer s3cret"])
        let asked = introspector.asked.withLock { $0 }
        #expect(asked.count == 1)
        #expect(asked.first?.credentials == ClientCredentials(clientID: "mcp-proxy", secret: "proxy-secret"))
    }

    @Test("an answer that is inactive, for another resource or issuer, expired or not yet valid: 401 invalid_token", arguments: [
        ("inactive", Self.answer { $0["active"] = .bool(false) }),
        ("active as a string", Self.answer { $0["active"] = .string("true") }),
        ("another resource", Self.answer { $0["aud"] = .string("https://mcp.example.com/team-b/mcp") }),
        ("no audience", Self.answer { $0["aud"] = nil }),
        ("another issuer", Self.answer { $0["iss"] = .string("https://evil.example.com") }),
        ("expired", Self.answer { $0["exp"] = .int(now - 120) }),
        ("not yet valid", Self.answer { $0["nbf"] = .int(now + 120) }),
        ("unreadable exp", Self.answer { $0["exp"] = .string("soon") }),
    ] as [(String, [String: JSONValue])])
    func refused(name: String, answer: [String: JSONValue]) async throws {
        let response = try #require(await handle("opaque-1", introspector: FakeIntrospector(["opaque-1": answer])).response, "\(name)")
        #expect(response.status == 401, "\(name)")
        #expect(response.header("WWW-Authenticate")?.hasPrefix(#"Bearer resource_metadata="\#(F.metadataURL)", scope="mcp:tools", error="invalid_token""#) == true, "\(name)")
    }

    @Test("an answer without iss or exp is accepted: RFC 7662 makes both optional")
    func optionalMembers() async throws {
        let answer = Self.answer { $0["iss"] = nil; $0["exp"] = .null }
        #expect(await handle("opaque-1", introspector: FakeIntrospector(["opaque-1": answer])).forward != nil)
    }

    @Test("an unreachable introspection endpoint or an unreadable client secret is 503, never a pass")
    func unavailable() async throws {
        #expect(await handle("opaque-1", introspector: FakeIntrospector([:])).response?.status == 503)
        let noSecret = await handle("opaque-1", introspector: FakeIntrospector(["opaque-1": Self.answer()]), secrets: [F.secretFile: "s3cret"])
        #expect(noSecret.response?.status == 503)
        #expect(noSecret.audit?.reason == "introspection_unavailable")
    }

    @Test("a JWT is verified locally even with introspection configured; an opaque token without it is invalid")
    func routing() async throws {
        let introspector = FakeIntrospector([:])
        let jwt = try await TestIssuer.shared.signRSA(TestIssuer.claims())
        #expect(await handle(jwt, introspector: introspector).forward != nil)
        #expect(introspector.asked.withLock { $0.isEmpty })
        let without = await handle("opaque-1", introspector: FakeIntrospector(["opaque-1": Self.answer()]), config: F.config())
        #expect(without.response?.status == 401)
    }
}

@Suite struct TokenExchangeTests {
    typealias F = PipelineFixture
    static let secretFile = "/var/run/secrets/mcp-runtime/token-exchange/client-secret"
    let config = F.config {
        $0.upstream.auth = .init(mode: .tokenExchange, header: "Authorization", tokenExchange: .init(
            audience: "weather-backend", scopes: ["forecast:read"], clientID: "mcp-proxy", clientSecretFile: TokenExchangeTests.secretFile))
    }

    func handle(_ exchanger: FakeExchanger, token: String) async -> PipelineResult {
        let runtime = ProxyRuntime(
            config: config, keySource: FakeKeySource(keys: try? TestIssuer.shared.keys()), exchanger: exchanger,
            secrets: FakeSecrets(files: [Self.secretFile: "exchange-secret\n"])
        )
        return await runtime.handle(F.post(F.call("get_forecast"), headers: [F.bearer(token)]), now: TestIssuer.now)
    }

    @Test("the caller's token is exchanged for the upstream's audience; only the exchanged token goes upstream")
    func exchanged() async throws {
        let token = try await TestIssuer.shared.signRSA(TestIssuer.claims())
        let exchanger = FakeExchanger()
        let plan = try #require(await handle(exchanger, token: token).forward)
        #expect(plan.values("Authorization") == ["Bearer exchanged-for-upstream"])
        #expect(!plan.headers.contains { $0.value.contains(token) })
        let asked = try #require(exchanger.asked.withLock { $0.first })
        #expect(asked.request.subjectToken == token)
        #expect(asked.request.audience == "weather-backend" && asked.request.scopes == ["forecast:read"])
        #expect(asked.request.subjectExpiry == TestIssuer.claims()["exp"].flatMap(TokenVerifier.seconds).map(Date.init(timeIntervalSince1970:)),
                "an exchanged token is never used beyond the caller's own")
        #expect(asked.credentials == ClientCredentials(clientID: "mcp-proxy", secret: "exchange-secret"))
    }

    @Test("a refused exchange is 403 and an unreachable one 503; neither reaches the upstream", arguments: [
        (TokenExchangeFailure.refused("invalid_target"), 403, "token_exchange_refused"),
        (TokenExchangeFailure.unavailable("connection refused"), 503, "upstream_credential_unavailable"),
    ])
    func failures(failure: TokenExchangeFailure, status: Int, reason: String) async throws {
        let token = try await TestIssuer.shared.signRSA(TestIssuer.claims())
        let result = await handle(FakeExchanger(failure: failure), token: token)
        #expect(result.response?.status == status)
        #expect(result.audit?.reason == reason)
    }
}

@Suite struct CORSTests {
    typealias F = PipelineFixture
    let origin = (name: "Origin", value: "https://chat.example.com")

    func handle(_ request: InboundRequest) async -> PipelineResult {
        await F.runtime(F.config()).handle(request, now: TestIssuer.now)
    }

    @Test("a preflight from an allowed Origin is answered without a token and never forwarded")
    func preflight() async throws {
        let response = try #require(await handle(InboundRequest(method: "OPTIONS", path: "/team-a/mcp", headers: [
            origin, (name: "Access-Control-Request-Method", value: "POST"), (name: "Access-Control-Request-Headers", value: "authorization, mcp-protocol-version"),
        ])).response)
        #expect(response.status == 204)
        #expect(response.header("Access-Control-Allow-Origin") == "https://chat.example.com")
        #expect(response.header("Access-Control-Allow-Methods") == "GET, POST, DELETE, OPTIONS")
        let allowed = response.header("Access-Control-Allow-Headers") ?? ""
        for name in ["Authorization", "Content-Type", "Mcp-Session-Id", "MCP-Protocol-Version", "Last-Event-ID", "X-MCP-Agent-Session"] {
            #expect(allowed.contains(name), "\(name)")
        }
        let foreign = await handle(InboundRequest(method: "OPTIONS", path: "/team-a/mcp", headers: [(name: "Origin", value: "https://evil.example.com")]))
        #expect(foreign.response?.status == 403)
        #expect(foreign.response?.header("Access-Control-Allow-Origin") == nil)
        let plain = try #require(await handle(InboundRequest(method: "OPTIONS", path: "/team-a/mcp")).response)
        #expect(plain.status == 204 && plain.header("Allow") == "GET, POST, DELETE, OPTIONS" && plain.header("Access-Control-Allow-Origin") == nil)
    }

    @Test("answers to an allowed Origin let the browser read them: the challenge, and the upstream's response")
    func exposed() async throws {
        let challenge = try #require(await handle(F.post(F.call("get_forecast"), headers: [origin])).response)
        #expect(challenge.status == 401)
        #expect(challenge.header("Access-Control-Allow-Origin") == "https://chat.example.com")
        #expect(challenge.headers.filter { $0.name == "Access-Control-Expose-Headers" }.map(\.value) == ["WWW-Authenticate, Mcp-Session-Id, MCP-Protocol-Version, Retry-After"])
        let token = try await TestIssuer.shared.signRSA(TestIssuer.claims())
        let plan = try #require(await handle(F.post(F.call("get_forecast"), headers: [origin, F.bearer(token)])).forward)
        #expect(plan.responseHeaders.first { $0.name == "Access-Control-Allow-Origin" }?.value == "https://chat.example.com")
        let direct = try #require(await handle(F.post(F.call("get_forecast"), headers: [F.bearer(token)])).forward)
        #expect(direct.responseHeaders.isEmpty, "no Origin, no CORS")
    }
}

@Suite struct ExpiringCacheTests {
    let now = Date(timeIntervalSince1970: 1_000)

    @Test("an entry is there until its deadline and gone after")
    func expiry() {
        var cache = ExpiringCache<String, Int>(capacity: 4)
        cache.insert(1, for: "a", until: now.addingTimeInterval(10), now: now)
        cache.insert(2, for: "b", until: now, now: now)
        #expect(cache.value(for: "a", now: now.addingTimeInterval(9)) == 1)
        #expect(cache.value(for: "a", now: now.addingTimeInterval(10)) == nil)
        #expect(cache.value(for: "b", now: now) == nil, "a deadline already past stores nothing")
        #expect(cache.count == 0)
    }

    @Test("when full, expired entries go first, then those closest to expiry")
    func capacity() {
        var cache = ExpiringCache<String, Int>(capacity: 2)
        cache.insert(1, for: "short", until: now.addingTimeInterval(5), now: now)
        cache.insert(2, for: "long", until: now.addingTimeInterval(50), now: now)
        cache.insert(3, for: "new", until: now.addingTimeInterval(20), now: now)
        #expect(cache.count == 2)
        #expect(cache.value(for: "short", now: now) == nil)
        #expect(cache.value(for: "long", now: now) == 2 && cache.value(for: "new", now: now) == 3)
        cache.insert(4, for: "later", until: now.addingTimeInterval(100), now: now.addingTimeInterval(30))
        #expect(cache.value(for: "long", now: now.addingTimeInterval(30)) == 2, "the expired entry made room")
        #expect(cache.value(for: "later", now: now.addingTimeInterval(30)) == 4)
    }
}
