import HTTPTypes
import Hummingbird
import NIOCore

/// The operator's admin listener: `/healthz` (the process serves), `/readyz` (every
/// informer has listed, or this instance is a standby follower) and `/metrics`.
struct OperatorAdmin: HTTPResponder {
    typealias Context = BasicRequestContext

    let readiness: @Sendable () async -> (ready: Bool, detail: String)
    let metrics: OperatorMetrics

    func respond(to request: Request, context: Context) async throws -> Response {
        switch request.uri.path {
        case "/healthz":
            return Self.text(.ok, "ok\n")
        case "/readyz":
            let (ready, detail) = await readiness()
            return Self.text(ready ? .ok : .serviceUnavailable, detail + "\n")
        case "/metrics":
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"], body: ResponseBody(byteBuffer: ByteBuffer(string: metrics.text())))
        default:
            return Self.text(.notFound, "not found\n")
        }
    }

    static func text(_ status: HTTPResponse.Status, _ body: String) -> Response {
        Response(status: status, headers: [.contentType: "text/plain; charset=utf-8"], body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }
}
