import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// Where forwarded requests go: the scheme, host and port to connect to, the path that
/// replaces the request's, and the `Host` field.
struct UpstreamTarget: Sendable, Hashable {
    var tls: Bool
    var host: String
    var port: Int
    var path: String
    var query: String?
    var hostField: String
    /// Which pooled connections can serve this target.
    var connectionKey: String

    /// Parses an `http(s)` URL with a host; nil for anything else.
    init?(_ url: String) {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(), ["http", "https"].contains(scheme),
              let host = components.host, !host.isEmpty
        else { return nil }
        tls = scheme == "https"
        self.host = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
        port = components.port ?? (tls ? 443 : 80)
        path = components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath
        query = components.percentEncodedQuery
        let bracketed = self.host.contains(":") ? "[\(self.host)]" : self.host
        hostField = components.port == nil ? bracketed : "\(bracketed):\(port)"
        connectionKey = "\(scheme)://\(hostField)"
    }

    /// The request target: this path, this URL's query, then the request's query.
    func requestURI(query extra: String?) -> String {
        let query = [query, extra].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: "&")
        return query.isEmpty ? path : "\(path)?\(query)"
    }
}

/// The proxy's HTTP/1.1 client for its upstream MCP server: keep-alive connections
/// pooled per origin and per caller (`partition`: bytes a faulty or hostile upstream sends
/// after an answer can then only ever reach the same caller's next request), one write per request, whole answers handed over at once and
/// streams (SSE) read as they are consumed. A request that found its pooled connection
/// already closed is sent again on a new one; after the request was written it is
/// retried only for GET and HEAD, so a tool call never runs twice.
final class UpstreamClient: Sendable {
    private let group: any EventLoopGroup
    private let tls: NIOSSLContext
    private let connectTimeout: TimeAmount
    private let idleTimeout: TimeAmount
    private let maxIdlePerOrigin: Int
    private let idle = Mutex<[String: [any Channel]]>([:])
    private let targets = Mutex<[String: UpstreamTarget]>([:])

    /// - Parameter idleTimeout: below the keep-alive timeout of common servers (uvicorn
    ///   closes after 5 s), so a pooled connection is rarely closed under a request.
    init(group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, connectTimeout: TimeAmount = .seconds(5),
         idleTimeout: TimeAmount = .seconds(4), maxIdlePerOrigin: Int = 512) throws {
        self.group = group
        tls = try NIOSSLContext(configuration: .makeClientConfiguration())
        self.connectTimeout = connectTimeout
        self.idleTimeout = idleTimeout
        self.maxIdlePerOrigin = maxIdlePerOrigin
    }

    /// The parsed target of an upstream URL (remembered: the URL changes only with the config).
    func target(_ url: String) -> UpstreamTarget? {
        if let known = targets.withLock({ $0[url] }) { return known }
        guard let target = UpstreamTarget(url) else { return nil }
        targets.withLock { cache in
            if cache.count > 16 { cache.removeAll() }
            cache[url] = target
        }
        return target
    }

    func execute(
        _ target: UpstreamTarget, method: HTTPMethod, query: String?, headers: [(name: String, value: String)], body: ByteBuffer?, timeout: TimeAmount,
        partition: String = ""
    ) async throws -> UpstreamResponse {
        let deadline = NIODeadline.now() + timeout
        var fields = HTTPHeaders(headers.map { ($0.name, $0.value) })
        fields.replaceOrAdd(name: "Host", value: target.hostField)
        // Framing is the proxy's own: a POST always says its length (NIO's encoder keeps it
        // for POST); any other method never has a body to write, since NIO may drop the
        // length of a method without one and the bytes would then be read as a request.
        fields.remove(name: "Transfer-Encoding")
        if method == .POST {
            fields.replaceOrAdd(name: "Content-Length", value: String(body?.readableBytes ?? 0))
        } else {
            guard (body?.readableBytes ?? 0) == 0 else { throw UpstreamError.unframedBody }
            fields.remove(name: "Content-Length")
        }
        let head = HTTPRequestHead(version: .http1_1, method: method, uri: target.requestURI(query: query), headers: fields)
        var resent = false
        while true {
            let (channel, pooled) = try await connection(target, partition: partition, deadline: deadline)
            let exchange = UpstreamExchange()
            do {
                return try await withTaskCancellationHandler {
                    try await Self.send(exchange, head, body: body, deadline: deadline, on: channel).get()
                } onCancel: {
                    UpstreamConnectionHandler.abandon(exchange, on: channel)
                }
            } catch UpstreamError.notSent where pooled && !Task.isCancelled {
                continue
            } catch UpstreamError.closed where pooled && !resent && !Task.isCancelled && Self.resendable.contains(method) {
                resent = true
                continue
            }
        }
    }

    /// Closes the pooled connections.
    func shutdown() async {
        let channels = idle.withLock { pool in
            defer { pool.removeAll() }
            return pool.values.flatMap { $0 }
        }
        for channel in channels { try? await channel.close() }
    }

    /// Sent again on a new connection when the pooled one closed under them: requests
    /// without a body whose repetition changes nothing (a DELETE ends a session once).
    private static let resendable: [HTTPMethod] = [.GET, .HEAD]

    private static func send(
        _ exchange: UpstreamExchange, _ head: HTTPRequestHead, body: ByteBuffer?, deadline: NIODeadline, on channel: any Channel
    ) -> EventLoopFuture<UpstreamResponse> {
        channel.eventLoop.flatSubmit {
            let handler = try? channel.pipeline.syncOperations.handler(type: UpstreamConnectionHandler.self)
            return handler?.start(exchange, head, body: body, deadline: deadline) ?? channel.eventLoop.makeFailedFuture(UpstreamError.notSent)
        }
    }

    /// A pooled connection to `target` (the most recently used first), else a new one.
    private func connection(_ target: UpstreamTarget, partition: String, deadline: NIODeadline) async throws -> (any Channel, pooled: Bool) {
        let key = target.connectionKey + "\u{0}" + partition
        while let channel = idle.withLock({ $0[key]?.popLast() }) {
            if channel.isActive { return (channel, true) }
        }
        return (try await connect(target, key: key, deadline: deadline), false)
    }

    private func release(_ channel: any Channel, key: String) {
        let surplus: [any Channel] = idle.withLock { pool in
            var channels = pool[key, default: []].filter(\.isActive)
            channels.append(channel)
            let surplus = channels.count > maxIdlePerOrigin ? Array(channels.prefix(channels.count - maxIdlePerOrigin)) : []
            pool[key] = Array(channels.suffix(maxIdlePerOrigin))
            return surplus
        }
        for channel in surplus { channel.close(promise: nil) }
    }

    private func connect(_ target: UpstreamTarget, key: String, deadline: NIODeadline) async throws -> any Channel {
        let tls = target.tls ? self.tls : nil
        // NIOSSL names the server for SNI and certificate checks; an IP literal is checked as an IP.
        let serverName = target.host.contains(":") || target.host.allSatisfy({ $0.isNumber || $0 == "." }) ? nil : target.host
        let idleTimeout = idleTimeout
        let bootstrap = ClientBootstrap(group: group)
            .connectTimeout(min(connectTimeout, deadline - .now()))
            .channelInitializer { [weak self] channel in
                channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    if let tls { try pipeline.addHandler(try NIOSSLClientHandler(context: tls, serverHostname: serverName)) }
                    try pipeline.addHTTPClientHandlers()
                    try pipeline.addHandler(UpstreamConnectionHandler(idleTimeout: idleTimeout) { channel in self?.release(channel, key: key) })
                }
            }
        do {
            let channel = try await bootstrap.connect(host: target.host, port: target.port).get()
            // Best effort: some network stacks refuse TCP_NODELAY (gVisor's, in a container's
            // network namespace, seen on this project's machines), and a request is written at
            // once anyway, so Nagle's algorithm can only delay it, never break it.
            try? await channel.setOption(.socketOption(.tcp_nodelay), value: 1).get()
            return channel
        } catch ChannelError.connectTimeout {
            throw UpstreamError.timeout
        }
    }
}
