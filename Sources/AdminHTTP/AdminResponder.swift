import HTTPTypes
import Hummingbird
import NIOCore

/// The admin listener of `mcp-proxy` and `mcp-runtime operator`: `/healthz` (the process
/// serves), `/readyz` (what `readiness` says) and `/metrics` (Prometheus text format).
public struct AdminResponder: HTTPResponder {
    public typealias Context = BasicRequestContext

    let readiness: @Sendable () async -> (ready: Bool, detail: String)
    let metrics: @Sendable () -> String

    public init(readiness: @escaping @Sendable () async -> (ready: Bool, detail: String), metrics: @escaping @Sendable () -> String) {
        self.readiness = readiness
        self.metrics = metrics
    }

    public func respond(to request: Request, context: Context) async throws -> Response {
        switch request.uri.path {
        case "/healthz":
            return Self.text(.ok, "ok\n")
        case "/readyz":
            let (ready, detail) = await readiness()
            return Self.text(ready ? .ok : .serviceUnavailable, detail + "\n")
        case "/metrics":
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"], body: ResponseBody(byteBuffer: ByteBuffer(string: metrics())))
        default:
            return Self.text(.notFound, "not found\n")
        }
    }

    static func text(_ status: HTTPResponse.Status, _ body: String) -> Response {
        Response(status: status, headers: [.contentType: "text/plain; charset=utf-8"], body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }
}
