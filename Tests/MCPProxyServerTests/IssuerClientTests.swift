import AsyncHTTPClient
import Foundation
import Hummingbird
import KubeCore
import MCPProxyConfig
import MCPRuntimeAPI
import NIOCore
import NIOSSL
import Synchronization
import TestServers
import Testing

/// An authorization-server stand-in on 127.0.0.1 for what no real peer here offers together
/// (RFC 8693 token exchange): metadata, an empty JWKS, RFC 7662 introspection that knows
/// one opaque token, and a token endpoint that exchanges. Records every form it receives.
final class StandInIssuer: Sendable {
    struct Received: Sendable {
        var path: String
        var authorization: String?
        var form: [String: String]
    }

    final class Record: Sendable {
        let items = Mutex<[Received]>([])
    }

    private let received = Record()
    private let task = Mutex<Task<Void, any Error>?>(nil)
    let port: Int
    let scheme: String
    var issuer: String { "\(scheme)://127.0.0.1:\(port)" }
    func requests(_ path: String) -> [Received] { received.items.withLock { $0.filter { $0.path == path } } }

    /// `tls`: serve HTTPS instead.
    init(tls: TLSConfiguration? = nil) async throws {
        let router = Router()
        let record = received
        let scheme = tls == nil ? "http" : "https"
        self.scheme = scheme
        router.get("/.well-known/oauth-authorization-server") { request, _ -> Response in
            let issuer = "\(scheme)://\(request.head.authority ?? "")"
            return Self.json(#"{"issuer":"\#(issuer)","jwks_uri":"\#(issuer)/jwks","introspection_endpoint":"\#(issuer)/introspect","token_endpoint":"\#(issuer)/token"}"#)
        }
        router.get("/jwks") { _, _ in Self.json(#"{"keys":[]}"#) }
        router.post("/introspect") { request, _ -> Response in
            let form = try await Self.form(request, record: record)
            guard form["token"] == "opaque-good" else { return Self.json(#"{"active":false}"#) }
            let exp = Int(Date().timeIntervalSince1970) + 300
            return Self.json(#"{"active":true,"aud":["https://weather.example.com/mcp"],"sub":"alice","client_id":"planner","scope":"mcp:tools","exp":\#(exp)}"#)
        }
        router.post("/token") { request, _ -> Response in
            let form = try await Self.form(request, record: record)
            guard form["grant_type"] == "urn:ietf:params:oauth:grant-type:token-exchange", form["subject_token"] == "opaque-good" else {
                return Self.json(#"{"error":"invalid_grant"}"#, status: .badRequest)
            }
            return Self.json(#"{"access_token":"upstream-token-1","issued_token_type":"urn:ietf:params:oauth:token-type:access_token","token_type":"Bearer","expires_in":300}"#)
        }
        let (port, running) = try await startLoopback(router, name: "stand-in-issuer", tls: tls)
        self.port = port
        task.withLock { $0 = running }
    }

    private static func form(_ request: Request, record: Record) async throws -> [String: String] {
        var request = request
        let body = String(buffer: try await request.collectBody(upTo: 1 << 16))
        var form: [String: String] = [:]
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "" }
            form[parts[0]] = parts.count > 1 ? parts[1] : ""
        }
        record.items.withLock { $0.append(Received(path: request.uri.path, authorization: request.headers[.authorization], form: form)) }
        return form
    }

    private static func json(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    func stop() {
        task.withLock { $0?.cancel() }
    }
}

/// mcp-proxy talking to an issuer over HTTP: discovery, introspection and token exchange
/// with the proxy's own credentials, and their caches.
@Suite(.serialized) struct IssuerClientTests {
    static func config(issuer: String, upstreamPort: Int, secrets: URL) -> String {
        let config = ProxyConfig(
            server: .init(name: "weather", namespace: "team-a", teamID: nil), unusable: nil,
            resource: .init(uri: "https://weather.example.com/mcp", path: "/mcp", metadataPath: "/.well-known/oauth-protected-resource/mcp",
                            metadataURL: "https://weather.example.com/.well-known/oauth-protected-resource/mcp", name: "weather"),
            auth: .init(mode: .oauth, tokenHeader: "Authorization",
                        identityHeaders: .init(human: "X-MCP-Human-ID", agent: "X-MCP-Agent-ID", team: "X-MCP-Team-ID", session: "X-MCP-Agent-Session"),
                        allowedOrigins: [],
                        oauth: .init(issuer: issuer, audience: "https://weather.example.com/mcp", jwksURI: nil, requiredScopes: ["mcp:tools"],
                                     scopesSupported: ["mcp:tools"], allowedAlgorithms: [.rs256], clockSkewSeconds: 30, teamClaims: [],
                                     introspection: .init(clientID: "mcp-proxy", clientSecretFile: secrets.appendingPathComponent("introspection").path))),
            upstream: .init(url: "http://127.0.0.1:\(upstreamPort)/mcp", auth: .init(
                mode: .tokenExchange, header: "Authorization",
                tokenExchange: .init(audience: "weather-backend", scopes: ["forecast:read"], clientID: "mcp-proxy",
                                     clientSecretFile: secrets.appendingPathComponent("exchange").path))),
            limits: .init(maxBodyBytes: 4096),
            policy: .init(mode: .allowList, defaultDecision: .deny, version: "v1"),
            session: .init(required: false, headerName: "X-MCP-Agent-Session", maxLifetimeSeconds: 86400, idleTimeoutSeconds: 3600, upstreamTokenHeader: "Authorization"),
            tools: [.init(name: "get_forecast", requiredTrust: .low, sideEffect: .read, requiredScopes: [])],
            grants: [.init(name: "alice", namespace: "team-a", subject: .init(humanID: "alice", agentID: nil, teamID: nil), maxTrust: .low,
                           allowedSideEffects: [.read], policyVersion: nil, disabled: false, expiresAt: nil, toolRules: [])],
            sessions: []
        )
        return String(decoding: (try? KubeJSON.encode(config)) ?? Data(), as: UTF8.self)
    }

    @Test("an opaque token is introspected once and the caller's token exchanged once; the upstream gets only the exchanged token")
    func introspectAndExchange() async throws {
        let issuer = try await StandInIssuer()
        let upstream = try await RecordingUpstream()
        let secrets = FileManager.default.temporaryDirectory.appendingPathComponent("issuer-secrets-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: secrets, withIntermediateDirectories: true)
        try "proxy secret&1\n".write(to: secrets.appendingPathComponent("introspection"), atomically: true, encoding: .utf8)
        try "exchange-secret".write(to: secrets.appendingPathComponent("exchange"), atomically: true, encoding: .utf8)
        let proxy = try ProxyProcess(config: Self.config(issuer: issuer.issuer, upstreamPort: upstream.port, secrets: secrets))
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        defer {
            proxy.stop()
            upstream.stop()
            issuer.stop()
            try? FileManager.default.removeItem(at: secrets)
        }
        do {
            try await proxy.waitUntilHealthy(client: client)
            for _ in 0..<2 {
                #expect(try await call(client, port: proxy.port, token: "opaque-good") == 200)
            }
            #expect(try await call(client, port: proxy.port, token: "opaque-revoked") == 401)

            #expect(upstream.seen.count == 2)
            #expect(upstream.seen.allSatisfy { $0.headers["authorization"] == "Bearer upstream-token-1" && $0.headers["x-mcp-human-id"] == "alice" })
            #expect(!upstream.seen.contains { $0.headers.values.contains { $0.contains("opaque") } }, "no client token upstream")

            let introspections = issuer.requests("/introspect")
            #expect(introspections.map { $0.form["token"] } == ["opaque-good", "opaque-revoked"], "the active answer was cached")
            #expect(introspections.first?.form["token_type_hint"] == "access_token")
            // RFC 6749 §2.3.1: id and secret form-encoded, then Basic.
            #expect(introspections.first?.authorization == "Basic " + Data("mcp-proxy:proxy%20secret%261".utf8).base64EncodedString())

            let exchanges = issuer.requests("/token")
            #expect(exchanges.count == 1, "the exchanged token was cached")
            let form = try #require(exchanges.first?.form)
            #expect(form["grant_type"] == "urn:ietf:params:oauth:grant-type:token-exchange")
            #expect(form["subject_token"] == "opaque-good")
            #expect(form["subject_token_type"] == "urn:ietf:params:oauth:token-type:access_token")
            #expect(form["audience"] == "weather-backend" && form["scope"] == "forecast:read")
            #expect(exchanges.first?.authorization == "Basic " + Data("mcp-proxy:exchange-secret".utf8).base64EncodedString())
        } catch {
            try await client.shutdown()
            throw error
        }
        try await client.shutdown()
        proxy.stop()
        let audit = proxy.auditLines()
        #expect(!audit.contains { "\($0)".contains("opaque") }, "never a token in the audit")
    }

    private func call(_ client: HTTPClient, port: Int, token: String) async throws -> Int {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/mcp")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.body = .bytes(ByteBuffer(string: ProxyServerTests.call))
        return Int(try await client.execute(request, timeout: .seconds(10)).status.code)
    }
}
