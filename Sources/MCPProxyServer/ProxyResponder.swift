import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import KubeCore
import Logging
import MCPProxyCore
import NIOCore

/// The catch-all HTTP responder: turns a request into an `InboundRequest`, lets the
/// pipeline decide, then answers itself or streams to and from the upstream.
struct ProxyResponder: HTTPResponder {
    typealias Context = BasicRequestContext

    let state: ProxyState
    let client: HTTPClient
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
        if request.method == .post, inbound.path == runtime.config.resource.path {
            do {
                let buffer = try await request.collectBody(upTo: runtime.config.limits.maxBodyBytes)
                collected = buffer
                inbound.body = Data(buffer.readableBytesView)
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
        case .forward(let plan):
            response = await forward(request, plan: plan, query: inbound.query, body: collected)
        }
        state.metrics.request(decision: result.audit?.decision ?? "none", reason: result.audit?.reason ?? "status_\(response.status.code)", duration: ContinuousClock.now - started)
        return response
    }

    private func forward(_ request: Request, plan: ForwardPlan, query: String?, body: ByteBuffer?) async -> Response {
        var upstream = HTTPClientRequest(url: plan.upstreamURL + (query.map { "?" + $0 } ?? ""))
        upstream.method = .init(rawValue: request.method.rawValue)
        for header in plan.headers { upstream.headers.add(name: header.name, value: header.value) }
        if let body {
            upstream.body = .bytes(body)
        } else if let length = request.headers[.contentLength].flatMap(Int.init), length > 0 {
            upstream.body = .stream(request.body.map { $0 }, length: .known(Int64(length)))
        } else if request.headers[.transferEncoding] != nil {
            upstream.body = .stream(request.body.map { $0 }, length: .unknown)
        }
        do {
            let response = try await client.execute(upstream, timeout: .seconds(30))
            var headers = HTTPFields()
            let added = Set(plan.responseHeaders.map { $0.name.lowercased() })
            for (name, value) in response.headers where !HeaderSanitizer.hopByHop.contains(name.lowercased()) && !added.contains(name.lowercased()) {
                if let field = HTTPField.Name(name) { headers.append(HTTPField(name: field, value: value)) }
            }
            for header in plan.responseHeaders {
                if let field = HTTPField.Name(header.name) { headers.append(HTTPField(name: field, value: header.value)) }
            }
            return Response(status: .init(code: Int(response.status.code)), headers: headers, body: ResponseBody(asyncSequence: response.body))
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout {
            return Self.response(Responses.plain(504, "upstream_timeout", "the MCP server did not answer in time"))
        } catch {
            return Self.response(Responses.plain(502, "bad_gateway", "the MCP server cannot be reached"))
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
