import Foundation
import Hummingbird
import NIOCore
import NIOSSL
import Synchronization

/// A loopback HTTP(S) server that answers with recorded Kubernetes API responses, built
/// per test from a router. Records the requests it received.
public final class ReplayServer: Sendable {
    public struct Received: Sendable {
        public var method: String
        public var path: String
        public var query: String
        public var headers: [String: String]
        public var body: String
    }

    public final class Log: Sendable {
        public let items = Mutex<[Received]>([])
        public func append(_ request: Request, body: String) {
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName.lowercased()] = field.value }
            items.withLock { $0.append(Received(method: request.method.rawValue, path: request.uri.path, query: request.uri.query ?? "", headers: headers, body: body)) }
        }
    }

    public let log = Log()
    public let port: Int
    private let task: Mutex<Task<Void, any Error>?>
    public var received: [Received] { log.items.withLock { $0 } }

    /// `routes` adds the handlers; `tls` serves HTTPS instead.
    public init(tls: TLSConfiguration? = nil, routes: (Router<BasicRequestContext>, Log) -> Void) async throws {
        let router = Router()
        routes(router, log)
        let (port, running) = try await startLoopback(router, name: "replay-server", tls: tls)
        self.port = port
        task = Mutex(running)
    }

    public var url: String { "http://127.0.0.1:\(port)" }

    public static func json(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    public func stop() {
        task.withLock { $0?.cancel() }
    }
}

public struct ReplayError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
