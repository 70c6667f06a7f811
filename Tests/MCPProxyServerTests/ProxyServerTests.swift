import AsyncHTTPClient
import Foundation
import KubeCore
import MCPProxyConfig
import MCPRuntimeAPI
import NIOCore
import NIOPosix
import Testing

/// The mcp-proxy binary end to end on loopback, in header and none modes (oauth against
/// a real authorization server lives in the integration suite).
@Suite(.serialized) struct ProxyServerTests {
    static func config(upstreamPort: Int, mode: AuthMode = .header, grantDisabled: Bool = false) -> String {
        let config = ProxyConfig(
            server: .init(name: "weather", namespace: "team-a", teamID: nil), unusable: nil,
            resource: .init(uri: nil, path: "/team-a/mcp", metadataPath: nil, metadataURL: nil, name: "weather"),
            auth: .init(mode: mode, tokenHeader: "Authorization",
                        identityHeaders: .init(human: "X-MCP-Human-ID", agent: "X-MCP-Agent-ID", team: "X-MCP-Team-ID", session: "X-MCP-Agent-Session"),
                        allowedOrigins: ["https://chat.example.com"], oauth: nil),
            upstream: .init(url: "http://127.0.0.1:\(upstreamPort)/mcp", auth: .init(mode: .none)),
            limits: .init(maxBodyBytes: 4096),
            policy: .init(mode: .allowList, defaultDecision: .deny, version: "v1"),
            session: .init(required: false, headerName: "X-MCP-Agent-Session", maxLifetimeSeconds: 86400, idleTimeoutSeconds: 3600, upstreamTokenHeader: "Authorization"),
            tools: [.init(name: "get_forecast", requiredTrust: .low, sideEffect: .read, requiredScopes: [])],
            grants: [.init(name: "alice", namespace: "team-a", subject: .init(humanID: "alice", agentID: nil, teamID: nil), maxTrust: .low,
                           allowedSideEffects: [.read], policyVersion: nil, disabled: grantDisabled, expiresAt: nil, toolRules: [])],
            sessions: []
        )
        return String(decoding: (try? KubeJSON.encode(config)) ?? Data(), as: UTF8.self)
    }

    static let call = #"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"get_forecast","arguments":{}}}"#

    private func post(_ client: HTTPClient, port: Int, body: String = call, headers: [(String, String)] = []) async throws -> (status: Int, body: String) {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/team-a/mcp")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(string: body))
        let response = try await client.execute(request, timeout: .seconds(10))
        return (Int(response.status.code), String(buffer: try await response.body.collect(upTo: 1 << 20)))
    }

    private func withProxy(mode: AuthMode = .header, _ body: (HTTPClient, RecordingUpstream, ProxyProcess) async throws -> Void) async throws {
        let upstream = try await RecordingUpstream()
        let proxy = try ProxyProcess(config: Self.config(upstreamPort: upstream.port, mode: mode))
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            try await proxy.waitUntilHealthy(client: client)
            try await body(client, upstream, proxy)
        } catch {
            proxy.stop()
            upstream.stop()
            try await client.shutdown()
            throw error
        }
        proxy.stop()
        upstream.stop()
        try await client.shutdown()
    }

    @Test("an allowed call is forwarded to the upstream path, without the client's credential, with the identity")
    func forwards() async throws {
        try await withProxy { client, upstream, proxy in
            let response = try await post(client, port: proxy.port, headers: [("X-MCP-Human-ID", "alice"), ("Authorization", "Bearer client-token")])
            #expect(response.status == 200 && response.body == #"{"ok":true}"#)
            let seen = try #require(upstream.seen.first)
            #expect(seen.path == "/mcp")
            #expect(seen.body == Self.call)
            #expect(seen.headers["authorization"] == nil)
            #expect(seen.headers["content-type"] == "application/json", "the recorder sees forwarded headers at all")
            #expect(seen.headers["x-mcp-human-id"] == "alice")
        }
    }

    @Test("a policy denial never reaches the upstream")
    func denied() async throws {
        try await withProxy { client, upstream, proxy in
            let response = try await post(client, port: proxy.port, headers: [("X-MCP-Human-ID", "mallory")])
            #expect(response.status == 403)
            #expect(response.body.contains("no_matching_grant"))
            #expect(upstream.seen.isEmpty)
        }
    }

    @Test("one JSON audit line per decision on standard output, never a credential")
    func audit() async throws {
        let upstream = try await RecordingUpstream()
        let proxy = try ProxyProcess(config: Self.config(upstreamPort: upstream.port))
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        try await proxy.waitUntilHealthy(client: client)
        _ = try await post(client, port: proxy.port, headers: [("X-MCP-Human-ID", "alice"), ("Authorization", "Bearer client-token-123")])
        _ = try await post(client, port: proxy.port, headers: [("X-MCP-Human-ID", "mallory")])
        try await client.shutdown()
        proxy.stop()
        upstream.stop()
        let lines = proxy.auditLines()
        #expect(lines.map { $0["decision"] as? String } == ["allow", "deny"])
        #expect(lines.map { $0["reason"] as? String } == ["allowed", "no_matching_grant"])
        #expect(lines.allSatisfy { $0["time"] is String && $0["policyVersion"] as? String == "v1" && $0["tool"] as? String == "get_forecast" })
        #expect(!lines.description.contains("client-token-123"))
    }

    @Test("other paths are 404; batches 400; too-large bodies 413; a foreign Origin 403 — none reach the upstream")
    func refusals() async throws {
        try await withProxy { client, upstream, proxy in
            let other = try await client.execute(HTTPClientRequest(url: "http://127.0.0.1:\(proxy.port)/other"), timeout: .seconds(5))
            #expect(other.status.code == 404)
            #expect(try await post(client, port: proxy.port, body: "[\(Self.call)]", headers: [("X-MCP-Human-ID", "alice")]).status == 400)
            #expect(try await post(client, port: proxy.port, body: String(repeating: " ", count: 5000) + Self.call, headers: [("X-MCP-Human-ID", "alice")]).status == 413)
            #expect(try await post(client, port: proxy.port, headers: [("X-MCP-Human-ID", "alice"), ("Origin", "https://evil.example.com")]).status == 403)
            #expect(upstream.seen.isEmpty)
        }
    }

    @Test("server-sent events stream through event by event")
    func streaming() async throws {
        try await withProxy(mode: .none) { client, _, proxy in
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(proxy.port)/team-a/mcp")
            request.headers.add(name: "Accept", value: "text/event-stream")
            let response = try await client.execute(request, timeout: .seconds(10))
            #expect(response.status == .ok)
            #expect(response.headers.first(name: "Content-Type") == "text/event-stream")
            var received = ""
            var chunks = 0
            for try await chunk in response.body {
                received += String(buffer: chunk)
                chunks += 1
            }
            #expect(received == "data: event 1\n\ndata: event 2\n\ndata: event 3\n\n")
            #expect(chunks >= 3, "events arrive as they are sent, not in one piece")
        }
    }

    @Test("an unreachable upstream is 502 with a JSON body, and the audit line and the metrics say so")
    func badGateway() async throws {
        // A port that was just closed: nothing listens there.
        let closed = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(closed.localAddress?.port)
        try await closed.close()
        let proxy = try ProxyProcess(config: Self.config(upstreamPort: port))
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        var metrics = ""
        do {
            try await proxy.waitUntilHealthy(client: client)
            let response = try await post(client, port: proxy.port, headers: [("X-MCP-Human-ID", "alice")])
            #expect(response.status == 502)
            #expect(response.body.contains("bad_gateway"))
            let answer = try await client.execute(HTTPClientRequest(url: "http://127.0.0.1:\(proxy.adminPort)/metrics"), timeout: .seconds(5))
            metrics = String(buffer: try await answer.body.collect(upTo: 1 << 20))
        } catch {
            proxy.stop()
            try await client.shutdown()
            throw error
        }
        try await client.shutdown()
        proxy.stop()
        #expect(Set(metrics.split(separator: "\n")).contains(#"mcp_proxy_requests_total{decision="allow",reason="upstream_unreachable"} 1"#))
        #expect(!metrics.contains(#"reason="allowed""#), "an outage is not counted as an answered call")
        let lines = proxy.auditLines()
        #expect(lines.map { $0["reason"] as? String } == ["upstream_unreachable"])
        #expect(lines.map { $0["status"] as? Int } == [502], "the status the client received")
    }

    @Test("a changed config is enforced without a restart; an invalid one is refused and the last good one keeps serving")
    func reload() async throws {
        try await withProxy { client, upstream, proxy in
            #expect(try await post(client, port: proxy.port, headers: [("X-MCP-Human-ID", "alice")]).status == 200)
            var allowed = 1
            try proxy.writeConfig(Self.config(upstreamPort: upstream.port, grantDisabled: true))
            var status = 0
            for _ in 0..<100 {
                status = try await post(client, port: proxy.port, headers: [("X-MCP-Human-ID", "alice")]).status
                if status == 403 { break }
                if status == 200 { allowed += 1 }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(status == 403, "the revoked grant is enforced after a reload")
            try proxy.writeConfig("{ not json")
            // Wait until the watcher has seen (and refused) the invalid file, however busy the machine.
            var text = ""
            for _ in 0..<100 {
                let metrics = try await client.execute(HTTPClientRequest(url: "http://127.0.0.1:\(proxy.adminPort)/metrics"), timeout: .seconds(5))
                text = String(buffer: try await metrics.body.collect(upTo: 1 << 20))
                if text.contains(#"mcp_proxy_config_reloads_total{outcome="failure"}"#) { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(proxy.process.isRunning)
            #expect(try await post(client, port: proxy.port, headers: [("X-MCP-Human-ID", "alice")]).status == 403, "still the last good config")
            // Whole lines: a count of 1 must not match 10.
            let lines = Set(text.split(separator: "\n").map(String.init))
            #expect(lines.contains(#"mcp_proxy_config_reloads_total{outcome="success"} 1"#))
            #expect(lines.contains(#"mcp_proxy_config_reloads_total{outcome="failure"} 1"#))
            #expect(lines.contains(#"mcp_proxy_requests_total{decision="allow",reason="allowed"} \#(allowed)"#), "every 200 the test saw, counted once")
            #expect(text.contains(#"mcp_proxy_requests_total{decision="deny",reason="grant_revoked"}"#))
            #expect(text.contains("mcp_proxy_config_info{revision="))
            #expect(text.contains("mcp_proxy_request_duration_seconds_bucket"))
        }
    }

    @Test("starting without a readable, valid config exits non-zero with a clear message", arguments: [
        ("", "the file is empty"),
        ("{}", "is missing"),
        (#"{"version": 2}"#, "is missing"),
    ])
    func badConfig(text: String, message: String) throws {
        let proxy = try ProxyProcess(config: text)
        proxy.process.waitUntilExit()
        #expect(proxy.process.terminationStatus != 0)
        #expect(proxy.output().contains(message))
    }
}
