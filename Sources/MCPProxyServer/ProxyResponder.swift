import Foundation
import HTTPTypes
import Hummingbird
import KubeCore
import Logging
import MCPProxyCore
import NIOCore
import NIOHTTP1
import ServiceLifecycle
import Synchronization

/// The catch-all HTTP responder: turns a request into an `InboundRequest`, lets the
/// pipeline decide, then answers itself or forwards to the upstream. Only a POST to the
/// MCP endpoint has its body read (whole, up to the configured limit), and only once the
/// pipeline's decisions that need no body let it through; answers are passed on whole
/// when they arrived whole and streamed otherwise (server-sent events), a stream ending
/// when its client leaves.
struct ProxyResponder: HTTPResponder {
    typealias Context = ProxyRequestContext

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
        let result: PipelineResult
        var body: ByteBuffer?
        if let early = runtime.decisionBeforeBody(inbound) {
            // Refused or answered here: the body, if any, is never read (the server drains it).
            result = early
        } else {
            if inbound.method == "POST" {
                var request = request
                do {
                    let buffer = try await request.collectBody(upTo: runtime.config.limits.maxBodyBytes)
                    body = buffer
                    inbound.body = Data(buffer.readableBytesView)
                } catch {
                    inbound.bodyTooLarge = true
                }
            }
            result = await runtime.handle(inbound)
        }
        var record = result.audit
        let response: Response
        switch result.outcome {
        case .respond(let answer):
            response = Self.response(answer)
        case .forward(let plan):
            let forwarded = await forward(request, plan: plan, query: inbound.query, body: body, client: context.channel)
            response = forwarded.response
            // The status the client received, and why when the upstream did not answer.
            record?.status = response.status.code
            if let failure = forwarded.failure { record?.reason = failure }
        }
        if let record { audit.write(record) }
        state.metrics.request(decision: record?.decision ?? "none", reason: record?.reason ?? "status_\(response.status.code)", duration: ContinuousClock.now - started)
        return response
    }

    /// The upstream's answer, or the proxy's own 502/504 with the reason it gives.
    private func forward(_ request: Request, plan: ForwardPlan, query: String?, body: ByteBuffer?, client: any Channel) async -> (response: Response, failure: String?) {
        guard let target = upstream.target(plan.upstreamURL) else {
            return (Self.response(Responses.plain(502, "bad_gateway", "the MCP server's URL is not usable")), "upstream_unusable")
        }
        let answer: UpstreamResponse
        do {
            answer = try await upstream.execute(
                target, method: HTTPMethod(rawValue: request.method.rawValue), query: query, headers: plan.headers, body: body, timeout: .seconds(30),
                partition: plan.connectionPartition
            )
        } catch UpstreamError.timeout {
            state.logger.warning("the MCP server did not answer in time", metadata: ["upstream": "\(target.connectionKey)"])
            return (Self.response(Responses.plain(504, "upstream_timeout", "the MCP server did not answer in time")), "upstream_timeout")
        } catch {
            // The operator's clue to a wrong upstream URL, Service or NetworkPolicy (no request data is logged).
            state.logger.warning("the MCP server cannot be reached", metadata: ["upstream": "\(target.connectionKey)", "error": "\(error)"])
            return (Self.response(Responses.plain(502, "bad_gateway", "the MCP server cannot be reached")), "upstream_unreachable")
        }
        var headers = HTTPFields()
        // The upstream's hop-by-hop fields, those its Connection lists included, stay on its connection.
        let dropped = HeaderSanitizer.hopByHop.union(HeaderSanitizer.connectionScoped(answer.head.headers))
            .union(plan.responseHeaders.map { HeaderSanitizer.folded($0.name) }).union([HeaderSanitizer.folded(SessionBinding.header)])
        for (name, value) in answer.head.headers where !dropped.contains(HeaderSanitizer.folded(name)) {
            if let field = HTTPField.Name(name) { headers.append(HTTPField(name: field, value: value)) }
        }
        // The client gets the upstream's session id sealed to itself; more than one id is none.
        let sessions = answer.head.headers[SessionBinding.header]
        if sessions.count == 1, let sealer = plan.sessionSealer, let field = HTTPField.Name(SessionBinding.header) {
            headers.append(HTTPField(name: field, value: sealer.seal(sessions[0])))
        }
        for header in plan.responseHeaders {
            if let field = HTTPField.Name(header.name) { headers.append(HTTPField(name: field, value: header.value)) }
        }
        let status = HTTPResponse.Status(code: Int(answer.head.status.code))
        switch answer.body {
        case .complete where status.code == 204 || status.code == 304:
            return (Response(status: status, headers: headers, body: ResponseBody(contentLength: nil) { writer in try await writer.finish(nil) }), nil)
        case .complete(let buffer):
            return (Response(status: status, headers: headers, body: ResponseBody(byteBuffer: buffer)), nil)
        case .stream(let sequence, let abandon) where request.method == .get:
            // The server's event stream has no end of its own: it ends, cleanly, when the
            // proxy shuts down (the client reconnects elsewhere). Other streams answer a
            // request and get until the shutdown deadline.
            return (Response(status: status, headers: headers, body: ResponseBody { writer in
                let stopped = ShutdownFlag()
                do {
                    try await withGracefulShutdownHandler {
                        try await ClientDeparture.watching(client, leave: abandon) {
                            for try await chunk in sequence { try await writer.write(chunk) }
                        }
                    } onGracefulShutdown: {
                        stopped.raised.store(true, ordering: .releasing)
                        abandon()
                    }
                } catch where stopped.raised.load(ordering: .acquiring) {}
                try await writer.finish(nil)
            }), nil)
        case .stream(let sequence, let abandon):
            return (Response(status: status, headers: headers, body: ResponseBody { writer in
                try await ClientDeparture.watching(client, leave: abandon) {
                    for try await chunk in sequence { try await writer.write(chunk) }
                }
                try await writer.finish(nil)
            }), nil)
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

/// Set when a graceful shutdown ended a stream, so that its ending is not an error.
private final class ShutdownFlag: Sendable {
    let raised = Atomic<Bool>(false)
}
