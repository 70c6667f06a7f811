import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization
import Testing

@testable import MCPProxyServer

/// A raw HTTP/1.1 upstream on 127.0.0.1 that counts its connections and requests:
/// `/close` answers with `Connection: close`, `/silent` never answers, `/drop` closes the
/// connection without an answer, `/events` sends its body in three writes, anything else
/// answers `{"ok":true}` whole.
final class CountingUpstream: Sendable {
    private final class Counter: Sendable {
        let value = Atomic<Int>(0)
    }

    private let accepted = Counter()
    private let received = Counter()
    private let channel: any Channel
    var port: Int { channel.localAddress?.port ?? 0 }
    /// Connections accepted so far.
    var connections: Int { accepted.value.load(ordering: .relaxed) }
    /// Requests read whole so far.
    var requests: Int { received.value.load(ordering: .relaxed) }

    init() async throws {
        let accepted = accepted
        let received = received
        channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { child in
                accepted.value.add(1, ordering: .relaxed)
                return child.eventLoop.makeCompletedFuture {
                    try child.pipeline.syncOperations.configureHTTPServerPipeline()
                    try child.pipeline.syncOperations.addHandler(Answer(received: received))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
    }

    func stop() async {
        try? await channel.close()
    }

    private final class Answer: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        private var uri = ""
        private let received: Counter

        init(received: Counter) {
            self.received = received
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head): uri = head.uri
            case .body: break
            case .end:
                received.value.add(1, ordering: .relaxed)
                switch uri {
                case "/silent":
                    return
                case "/drop":
                    context.close(promise: nil)
                case "/switch":
                    context.writeAndFlush(wrapOutboundOut(.head(.init(version: .http1_1, status: .switchingProtocols, headers: ["Upgrade": "evil", "Connection": "upgrade"]))), promise: nil)
                case "/events":
                    var headers = HTTPHeaders([("Content-Type", "text/event-stream"), ("Transfer-Encoding", "chunked")])
                    headers.add(name: "Cache-Control", value: "no-cache")
                    context.writeAndFlush(wrapOutboundOut(.head(.init(version: .http1_1, status: .ok, headers: headers))), promise: nil)
                    for event in 1...3 {
                        let loop = context.eventLoop.assumeIsolated()
                        loop.scheduleTask(in: .milliseconds(Int64(event) * 50)) {
                            context.writeAndFlush(self.wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: "data: \(event)\n\n")))), promise: nil)
                            if event == 3 { context.writeAndFlush(self.wrapOutboundOut(.end(nil)), promise: nil) }
                        }
                    }
                default:
                    let body = ByteBuffer(string: #"{"ok":true}"#)
                    var headers = HTTPHeaders([("Content-Type", "application/json"), ("Content-Length", String(body.readableBytes))])
                    if uri == "/close" { headers.add(name: "Connection", value: "close") }
                    context.write(wrapOutboundOut(.head(.init(version: .http1_1, status: .ok, headers: headers))), promise: nil)
                    context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
                    context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
                }
            }
        }
    }
}

@Suite struct UpstreamClientTests {
    private func body(_ response: UpstreamResponse) async throws -> String {
        switch response.body {
        case .complete(let buffer): return String(buffer: buffer)
        case .stream(let sequence, _):
            var text = ""
            for try await chunk in sequence { text += String(buffer: chunk) }
            return text
        }
    }

    private func call(_ client: UpstreamClient, _ upstream: CountingUpstream, _ path: String, method: HTTPMethod = .POST, timeout: TimeAmount = .seconds(10)) async throws -> UpstreamResponse {
        let target = try #require(client.target("http://127.0.0.1:\(upstream.port)\(path)"))
        let body = method == .POST ? ByteBuffer(string: "{}") : nil
        return try await client.execute(target, method: method, query: nil, headers: [("Content-Type", "application/json")], body: body, timeout: timeout)
    }

    /// A client and a counting upstream for `test`, both stopped afterwards.
    private func withUpstream(_ test: (UpstreamClient, CountingUpstream) async throws -> Void) async throws {
        let upstream = try await CountingUpstream()
        let client = try UpstreamClient()
        do {
            try await test(client, upstream)
        } catch {
            await client.shutdown()
            await upstream.stop()
            throw error
        }
        await client.shutdown()
        await upstream.stop()
    }

    @Test("keep-alive: sequential calls share one connection, and a whole answer is handed over whole")
    func reuse() async throws {
        try await withUpstream { client, upstream in
            for _ in 0..<5 {
                let response = try await call(client, upstream, "/mcp")
                guard case .complete(let buffer) = response.body else { Issue.record("a small answer arrived whole but was streamed"); break }
                #expect(String(buffer: buffer) == #"{"ok":true}"#)
            }
            #expect(upstream.connections == 1)
        }
    }

    @Test("an answer with Connection: close closes that connection; the next call opens another")
    func connectionClose() async throws {
        try await withUpstream { client, upstream in
            let closing = try await body(try await call(client, upstream, "/close"))
            #expect(closing == #"{"ok":true}"#)
            let next = try await body(try await call(client, upstream, "/mcp"))
            #expect(next == #"{"ok":true}"#)
            #expect(upstream.connections == 2)
        }
    }

    @Test("a body sent in parts is streamed part by part, and the connection serves the next call")
    func streaming() async throws {
        try await withUpstream { client, upstream in
            let response = try await call(client, upstream, "/events", method: .GET)
            guard case .stream(let sequence, _) = response.body else { Issue.record("an answer still arriving was not streamed"); return }
            var parts: [String] = []
            for try await chunk in sequence { parts.append(String(buffer: chunk)) }
            #expect(parts.joined() == "data: 1\n\ndata: 2\n\ndata: 3\n\n")
            #expect(parts.count >= 3)
            let next = try await body(try await call(client, upstream, "/mcp"))
            #expect(next == #"{"ok":true}"#)
            #expect(upstream.connections == 1)
        }
    }

    @Test("no answer before the deadline is a timeout, and that connection is not reused")
    func timeout() async throws {
        try await withUpstream { client, upstream in
            await #expect(throws: UpstreamError.timeout) { try await call(client, upstream, "/silent", timeout: .milliseconds(200)) }
            let next = try await body(try await call(client, upstream, "/mcp"))
            #expect(next == #"{"ok":true}"#)
            #expect(upstream.connections == 2)
        }
    }

    @Test("a cancelled call gives up its connection (the upstream may still be working on it); the next call gets another")
    func cancelled() async throws {
        try await withUpstream { client, upstream in
            let waiting = Task { try await call(client, upstream, "/silent") }
            while upstream.connections == 0 { try await Task.sleep(for: .milliseconds(10)) }
            waiting.cancel()
            await #expect(throws: UpstreamError.self) { try await waiting.value }
            let next = try await body(try await call(client, upstream, "/mcp"))
            #expect(next == #"{"ok":true}"#)
            #expect(upstream.connections == 2)
        }
    }

    @Test("a body is written only with POST, whose length the encoder keeps: never on a method NIO may frame without one",
          arguments: [HTTPMethod.GET, .HEAD, .DELETE, .OPTIONS, .TRACE, .PUT, .PATCH, .CONNECT, .RAW(value: "PROPFIND")])
    func bodyOnlyWithPOST(method: HTTPMethod) async throws {
        try await withUpstream { client, upstream in
            let target = try #require(client.target("http://127.0.0.1:\(upstream.port)/mcp"))
            let smuggled = ByteBuffer(string: "POST /mcp HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}")
            await #expect(throws: UpstreamError.unframedBody) {
                try await client.execute(target, method: method, query: nil, headers: [], body: smuggled, timeout: .seconds(10))
            }
            #expect(upstream.connections == 0, "nothing was sent")
        }
    }

    @Test("a pooled connection closed under a written request: GET is sent again on a new one, POST and DELETE never are",
          arguments: [(HTTPMethod.GET, 2), (.HEAD, 2), (.POST, 1), (.DELETE, 1)])
    func resendOnlyWithoutEffects(method: HTTPMethod, expected: Int) async throws {
        try await withUpstream { client, upstream in
            _ = try await body(try await call(client, upstream, "/mcp"))
            await #expect(throws: UpstreamError.closed) { try await call(client, upstream, "/drop", method: method) }
            #expect(upstream.requests - 1 == expected, "the request reached the upstream \(expected) time(s)")
        }
    }

    @Test("a 101 the proxy never asked for is a protocol violation, not an answer")
    func switchingProtocols() async throws {
        try await withUpstream { client, upstream in
            await #expect(throws: UpstreamError.protocolViolation) { try await call(client, upstream, "/switch") }
        }
    }

    @Test("connections are pooled per caller: one caller's connection never carries another's request")
    func partitions() async throws {
        try await withUpstream { client, upstream in
            let target = try #require(client.target("http://127.0.0.1:\(upstream.port)/mcp"))
            for partition in ["alice", "bob", "alice", "bob"] {
                _ = try await body(try await client.execute(target, method: .GET, query: nil, headers: [], body: nil, timeout: .seconds(10), partition: partition))
            }
            #expect(upstream.connections == 2)
        }
    }

    @Test("upstream URLs: scheme, host, default ports, IPv6, and the request's query after the URL's", arguments: [
        ("http://mcp.team-a.svc:8080/mcp", "mcp.team-a.svc", 8080, "mcp.team-a.svc:8080", "/mcp?x=1"),
        ("https://mcp.example.com", "mcp.example.com", 443, "mcp.example.com", "/?x=1"),
        ("http://[::1]:9000/a/b?k=v", "::1", 9000, "[::1]:9000", "/a/b?k=v&x=1"),
    ])
    func targets(url: String, host: String, port: Int, hostField: String, uri: String) throws {
        let target = try #require(UpstreamTarget(url))
        #expect(target.host == host && target.port == port && target.hostField == hostField)
        #expect(target.requestURI(query: "x=1") == uri)
    }

    @Test("URLs that are not http(s) with a host are refused", arguments: ["ftp://x/mcp", "http:///mcp", "mcp", ""])
    func badTargets(url: String) {
        #expect(UpstreamTarget(url) == nil)
    }
}
