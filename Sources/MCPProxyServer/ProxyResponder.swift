import Foundation
import HTTPTypes
import Hummingbird
import KubeCore
import Logging
import MCPProxyCore
import NIOCore
import NIOHTTP1

/// The catch-all HTTP responder: turns a request into an `InboundRequest`, lets the
/// pipeline decide, then answers itself or forwards to the upstream. Request bodies are
/// read whole, up to the configured limit; answers are passed on whole when they
/// arrived whole and streamed otherwise (server-sent events).
struct ProxyResponder: HTTPResponder {
    typealias Context = BasicRequestContext

    let state: ProxyState
    let upstream: UpstreamClient
    let audit: AuditSink

    func respond(to request: Request, context: Context) async throws -> Response {
        let started = ContinuousClock.now
        let runtime = state.runtime
        var inbound = InboundRequest(
            method: request.method.rawValue, path: request.uri.path, query: request.uri.query,
            headers: request.headers.map { (name: $0.name.rawName, value: $0.value) }
        )
        var request = request
        var collected: ByteBuffer?
        if request.method == .post || request.headers[.contentLength].flatMap(Int.init).map({ $0 > 0 }) == true || request.headers[.transferEncoding] != nil {
            do {
                let buffer = try await request.collectBody(upTo: runtime.config.limits.maxBodyBytes)
                collected = buffer
                if request.method == .post, inbound.path == runtime.config.resource.path { inbound.body = Data(buffer.readableBytesView) }
            } catch {
                inbound.bodyTooLarge = true
            }
        }
        let result = await runtime.handle(inbound)
        if let record = result.audit { audit.write(record) }
        let response: Response
        switch result.outcome {
        case .respond(let answer):
            response = Self.response(answer)
        case .forward where inbound.bodyTooLarge:
            // A body over the limit on a request the pipeline did not read (not a POST).
            response = Self.response(Responses.plain(413, "body_too_large", "the request body exceeds \(runtime.config.limits.maxBodyBytes) bytes"))
        case .forward(let plan):
            response = await forward(request, plan: plan, query: inbound.query, body: collected)
        }
        state.metrics.request(decision: result.audit?.decision ?? "none", reason: result.audit?.reason ?? "status_\(response.status.code)", duration: ContinuousClock.now - started)
        return response
    }

    private func forward(_ request: Request, plan: ForwardPlan, query: String?, body: ByteBuffer?) async -> Response {
        guard let target = upstream.target(plan.upstreamURL) else {
            return Self.response(Responses.plain(502, "bad_gateway", "the MCP server's URL is not usable"))
        }
        let answer: UpstreamResponse
        do {
            answer = try await upstream.execute(
                target, method: HTTPMethod(rawValue: request.method.rawValue), query: query, headers: plan.headers, body: body, timeout: .seconds(30)
            )
        } catch UpstreamError.timeout {
            return Self.response(Responses.plain(504, "upstream_timeout", "the MCP server did not answer in time"))
        } catch {
            return Self.response(Responses.plain(502, "bad_gateway", "the MCP server cannot be reached"))
        }
        var headers = HTTPFields()
        let added = Set(plan.responseHeaders.map { $0.name.lowercased() })
        for (name, value) in answer.head.headers where !HeaderSanitizer.hopByHop.contains(name.lowercased()) && !added.contains(name.lowercased()) {
            if let field = HTTPField.Name(name) { headers.append(HTTPField(name: field, value: value)) }
        }
        for header in plan.responseHeaders {
            if let field = HTTPField.Name(header.name) { headers.append(HTTPField(name: field, value: header.value)) }
        }
        let status = HTTPResponse.Status(code: Int(answer.head.status.code))
        switch answer.body {
        case .complete where request.method == .head || status.code == 204 || status.code == 304:
            // No body, and no framing of ours: a HEAD answer keeps the upstream's length.
            if request.method == .head, let length = answer.head.headers.first(name: "Content-Length") { headers[.contentLength] = length }
            return Response(status: status, headers: headers, body: ResponseBody(contentLength: nil) { writer in try await writer.finish(nil) })
        case .complete(let buffer):
            return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: buffer))
        case .stream(let sequence):
            return Response(status: status, headers: headers, body: ResponseBody(asyncSequence: sequence))
        }
    }

    static func response(_ response: ProxyResponse) -> Response {
        var headers = HTTPFields()
        for header in response.headers {
            if let name = HTTPField.Name(header.name) { headers.append(HTTPField(name: name, value: header.value)) }
        }
        return Response(status: .init(code: response.status), headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: response.body)))
    }
}
