import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The admin listener: `/healthz` (the process serves), `/readyz` (a config is in force
/// and the server is usable) and `/metrics` (Prometheus text format).
struct AdminResponder: HTTPResponder {
    typealias Context = BasicRequestContext

    let state: ProxyState

    func respond(to request: Request, context: Context) async throws -> Response {
        switch request.uri.path {
        case "/healthz":
            return Self.text(.ok, "ok\n")
        case "/readyz":
            let config = state.runtime.config
            if let reason = config.unusable { return Self.text(.serviceUnavailable, "unusable: \(reason)\n") }
            return Self.text(.ok, "ready \(config.revision ?? "")\n")
        case "/metrics":
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"], body: ResponseBody(byteBuffer: ByteBuffer(string: state.metrics.text())))
        default:
            return Self.text(.notFound, "not found\n")
        }
    }

    static func text(_ status: HTTPResponse.Status, _ body: String) -> Response {
        Response(status: status, headers: [.contentType: "text/plain; charset=utf-8"], body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }
}
