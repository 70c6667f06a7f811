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
            record?.hidden(forwarded.hidden, observed: plan.answerFilter?.observeOnly ?? false)
            state.metrics.hidden(forwarded.hidden, observed: plan.answerFilter?.observeOnly ?? false)
            if forwarded.unreadable > 0 { record?.unreadableEvents = forwarded.unreadable }
            if forwarded.failure == "answer_unfilterable" || forwarded.unreadable > 0 { state.metrics.unfilterable(max(1, forwarded.unreadable)) }
            if let stream = forwarded.filteredStream, let record {
                // The stream's events are still to come: its audit line is written when it ends.
                stream.complete(record, audit: audit, metrics: state.metrics)
                state.metrics.request(decision: record.decision, reason: record.reason, duration: ContinuousClock.now - started)
                return response
            }
        }
        if let record { audit.write(record) }
        state.metrics.request(decision: record?.decision ?? "none", reason: record?.reason ?? "status_\(response.status.code)", duration: ContinuousClock.now - started)
        return response
    }

    /// What came of forwarding: the answer, why the upstream's was not sent on, what a
    /// filter removed from it, and for a filtered stream what is still to come.
    private struct Forwarded {
        var response: Response
        var failure: String?
        var hidden: [String] = []
        /// Events of a filtered answer dropped as unreadable.
        var unreadable = 0
        var filteredStream: FilteredStreamAudit?
    }

    /// The upstream's answer, or the proxy's own 502/504 with the reason it gives.
    private func forward(_ request: Request, plan: ForwardPlan, query: String?, body: ByteBuffer?, client: any Channel) async -> Forwarded {
        guard let target = upstream.target(plan.upstreamURL) else {
            return Forwarded(response: Self.response(Responses.plain(502, "bad_gateway", "the MCP server's URL is not usable")), failure: "upstream_unusable")
        }
        let answer: UpstreamResponse
        do {
            answer = try await upstream.execute(
                target, method: HTTPMethod(rawValue: request.method.rawValue), query: query, headers: plan.headers, body: body, timeout: .seconds(30),
                partition: plan.connectionPartition
            )
        } catch UpstreamError.timeout {
            state.logger.warning("the MCP server did not answer in time", metadata: ["upstream": "\(target.connectionKey)"])
            return Forwarded(response: Self.response(Responses.plain(504, "upstream_timeout", "the MCP server did not answer in time")), failure: "upstream_timeout")
        } catch {
            // The operator's clue to a wrong upstream URL, Service or NetworkPolicy (no request data is logged).
            state.logger.warning("the MCP server cannot be reached", metadata: ["upstream": "\(target.connectionKey)", "error": "\(error)"])
            return Forwarded(response: Self.response(Responses.plain(502, "bad_gateway", "the MCP server cannot be reached")), failure: "upstream_unreachable")
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
        if let filter = plan.answerFilter {
            return await filtered(answer, filter: filter, status: status, headers: headers, method: request.method, client: client)
        }
        return Forwarded(response: Self.asItCame(answer, status: status, headers: headers, serverStream: request.method == .get, client: client))
    }

    /// The upstream's answer as it came: whole when it arrived whole, else relayed.
    private static func asItCame(_ answer: UpstreamResponse, status: HTTPResponse.Status, headers: HTTPFields, serverStream: Bool, client: any Channel) -> Response {
        switch answer.body {
        case .complete where status.code == 204 || status.code == 304:
            Response(status: status, headers: headers, body: ResponseBody(contentLength: nil) { writer in try await writer.finish(nil) })
        case .complete(let buffer):
            Response(status: status, headers: headers, body: ResponseBody(byteBuffer: buffer))
        case .stream(let sequence, let abandon):
            Response(status: status, headers: headers, body: relay(sequence, abandon: abandon, client: client, serverStream: serverStream))
        }
    }

    /// Bytes to send for each chunk of a stream, and (given nil) at its end.
    private typealias Transform = @Sendable (ByteBuffer?) throws -> ByteBuffer?

    /// A streamed answer, relayed as it arrives (through `transform`, when given), ended
    /// when its client leaves (`ClientDeparture`). The server's event stream (the answer
    /// to a GET) has no end of its own: it ends, cleanly, when the proxy shuts down (the
    /// client reconnects elsewhere). Other streams answer a request and get until the
    /// shutdown deadline.
    private static func relay(
        _ sequence: UpstreamBody, abandon: @escaping @Sendable () -> Void, client: any Channel, serverStream: Bool, transform: Transform? = nil
    ) -> ResponseBody {
        ResponseBody { writer in
            func copy() async throws {
                try await ClientDeparture.watching(client, leave: abandon) {
                    for try await chunk in sequence {
                        guard let transform else {
                            try await writer.write(chunk)
                            continue
                        }
                        if let bytes = try transform(chunk), bytes.readableBytes > 0 { try await writer.write(bytes) }
                    }
                }
            }
            if serverStream {
                let stopped = ShutdownFlag()
                do {
                    try await withGracefulShutdownHandler {
                        try await copy()
                    } onGracefulShutdown: {
                        stopped.raised.store(true, ordering: .releasing)
                        abandon()
                    }
                } catch where stopped.raised.load(ordering: .acquiring) {}
            } else {
                try await copy()
            }
            if let last = try transform?(nil), last.readableBytes > 0 { try await writer.write(last) }
            try await writer.finish(nil)
        }
    }

    /// A filtered answer: a JSON body read whole (up to `EventStreamFilter.maxEventBytes`)
    /// and sent without the entries the caller may not use; an event stream filtered event
    /// by event as it arrives; an answer the filter cannot read replaced by a 502 (never
    /// sent on unfiltered).
    private func filtered(
        _ answer: UpstreamResponse, filter: AnswerFilter, status: HTTPResponse.Status, headers: HTTPFields, method: HTTPRequest.Method, client: any Channel
    ) async -> Forwarded {
        func refused(_ why: String) -> Forwarded {
            if case .stream(_, let abandon) = answer.body { abandon() }
            state.logger.warning("the MCP server's answer cannot be filtered for its caller", metadata: ["why": "\(why)"])
            return Forwarded(response: Self.response(Responses.plain(502, "bad_gateway", "the MCP server's answer cannot be filtered")), failure: "answer_unfilterable")
        }
        let fields = answer.head.headers.map { (name: $0.name, value: $0.value) }
        switch AnswerFilter.framing(status: Int(status.code), headers: fields) {
        case .passThrough:
            return Forwarded(response: Self.asItCame(answer, status: status, headers: headers, serverStream: method == .get, client: client))
        case .unreadable where answer.body.isEmpty:
            // No body carries no list, whatever its head says.
            return Forwarded(response: Self.asItCame(answer, status: status, headers: headers, serverStream: method == .get, client: client))
        case .unreadable(let why):
            return refused(why)
        case .json:
            var body: ByteBuffer
            switch answer.body {
            case .complete(let buffer):
                body = buffer
            case .stream(let sequence, let abandon):
                // Read whole up to a limit: a list request's up to the largest it may be;
                // another request's up to the size of an answer that arrives whole, beyond
                // which it is relayed as it comes, each piece scanned before it is sent (one
                // that may carry a list ends the answer before it: `relayScanned`).
                let limit = filter.listRequest ? EventStreamFilter.maxEventBytes : UpstreamConnectionHandler.collectLimit
                let pieces = UpstreamPieces(sequence.makeAsyncIterator())
                body = ByteBuffer()
                do {
                    while var chunk = try await pieces.next() {
                        body.writeBuffer(&chunk)
                        guard body.readableBytes > limit else { continue }
                        guard !filter.listRequest else {
                            abandon()
                            return refused("a JSON answer over \(EventStreamFilter.maxEventBytes) bytes")
                        }
                        return Forwarded(response: Response(status: status, headers: headers, body: relayScanned(body, then: pieces, abandon: abandon, client: client)))
                    }
                } catch {
                    return Forwarded(response: Self.response(Responses.plain(502, "bad_gateway", "the MCP server's answer broke off")), failure: "upstream_unreachable")
                }
            }
            switch filter.filterJSON(body.readableBytesView) {
            case .refused(let why):
                return refused(why)
            case .send(let rewritten, let removed):
                if let rewritten { body = ByteBuffer(bytes: rewritten) }
                return Forwarded(response: Response(status: status, headers: headers, body: ResponseBody(byteBuffer: body)), hidden: removed)
            }
        case .eventStream:
            let report = FilteredStreamAudit(observed: filter.observeOnly)
            let events = Mutex(filter.eventStream())
            let transform: Transform = { chunk in
                let bytes = try events.withLock { events in
                    defer { report.add(events.takeVerdicts()) }
                    guard let chunk else { return ByteBuffer(bytes: events.finish()) }
                    return ByteBuffer(bytes: try events.feed(chunk.readableBytesView))
                }
                if chunk == nil { report.finish() }
                return bytes
            }
            switch answer.body {
            case .complete(let buffer):
                do {
                    var bytes = try transform(buffer) ?? ByteBuffer()
                    var last = try transform(nil) ?? ByteBuffer()
                    bytes.writeBuffer(&last)
                    let (hidden, unreadable) = report.verdicts
                    return Forwarded(response: Response(status: status, headers: headers, body: ResponseBody(byteBuffer: bytes)), hidden: hidden, unreadable: unreadable)
                } catch {
                    return refused("an event over \(EventStreamFilter.maxEventBytes) bytes")
                }
            case .stream(let sequence, let abandon):
                let body = Self.relay(sequence, abandon: abandon, client: client, serverStream: method == .get, transform: transform)
                return Forwarded(response: Response(status: status, headers: headers, body: body), filteredStream: report)
            }
        }
    }

    /// A large JSON answer to a request that lists nothing: `prefix`, then the rest of
    /// `pieces`, each piece scanned (`ListAnswerScan`) before it is sent. One that may carry
    /// a list answer ends the answer there, before any of the list is sent.
    private func relayScanned(_ prefix: ByteBuffer, then pieces: UpstreamPieces, abandon: @escaping @Sendable () -> Void, client: any Channel) -> ResponseBody {
        let metrics = state.metrics
        let logger = state.logger
        return ResponseBody { writer in
            var scan = ListAnswerScan()
            func send(_ piece: ByteBuffer) async throws {
                guard !scan.feed(piece.readableBytesView) else {
                    metrics.unfilterable()
                    logger.warning("the MCP server's answer to a request that lists nothing carries a list; the answer is cut off")
                    abandon()
                    throw AnswerCutOff()
                }
                try await writer.write(piece)
            }
            try await ClientDeparture.watching(client, leave: abandon) {
                try await send(prefix)
                while let piece = try await pieces.next() { try await send(piece) }
            }
            try await writer.finish(nil)
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

/// Ends a relayed answer that may carry a list answer its request did not ask for.
struct AnswerCutOff: Error {}

/// The upstream body's iterator, read first by the responder and then by the response
/// body it hands the rest to: one reader at a time, in turn, never two at once.
final class UpstreamPieces: @unchecked Sendable {
    private var iterator: UpstreamBody.AsyncIterator

    init(_ iterator: UpstreamBody.AsyncIterator) {
        self.iterator = iterator
    }

    func next() async throws -> ByteBuffer? {
        try await iterator.next()
    }
}

/// The audit of a filtered event stream: what its events came to, written as one line
/// when the stream ends (or is dropped unsent).
final class FilteredStreamAudit: Sendable {
    private struct State {
        var hidden: [String] = []
        var unreadable = 0
        var record: AuditRecord?
        var sink: AuditSink?
        var metrics: ProxyMetrics?
        var written = false
    }

    private let state = Mutex(State())
    private let observed: Bool

    init(observed: Bool) {
        self.observed = observed
    }

    func add(_ verdicts: [EventStreamFilter.Verdict]) {
        guard !verdicts.isEmpty else { return }
        state.withLock { state in
            for verdict in verdicts {
                switch verdict {
                case .removed(let entries): state.hidden += entries
                case .refused: state.unreadable += 1
                }
            }
        }
    }

    /// The entries removed so far, and the events dropped as unreadable.
    var verdicts: (hidden: [String], unreadable: Int) { state.withLock { ($0.hidden, $0.unreadable) } }

    /// The record to complete, and where to write it.
    func complete(_ record: AuditRecord, audit: AuditSink, metrics: ProxyMetrics) {
        state.withLock { state in
            state.record = record
            state.sink = audit
            state.metrics = metrics
        }
    }

    /// The stream ended: the audit line and the metrics, once.
    func finish() {
        let done: State? = state.withLock { state in
            guard !state.written, state.record != nil else { return nil }
            state.written = true
            return state
        }
        guard let done, var record = done.record else { return }
        record.hidden(done.hidden, observed: observed)
        if done.unreadable > 0 { record.unreadableEvents = done.unreadable }
        done.sink?.write(record)
        done.metrics?.hidden(done.hidden, observed: observed)
        if done.unreadable > 0 { done.metrics?.unfilterable(done.unreadable) }
    }

    deinit {
        finish()
    }
}

extension AuditRecord {
    /// Records the entries a filter removed (observing: would have), if any.
    mutating func hidden(_ entries: [String], observed: Bool) {
        guard !entries.isEmpty else { return }
        hidden = (hidden ?? []) + entries
        if reason == "allowed" { reason = "filtered" }
        if observed { decision = "observe" }
    }
}

/// Set when a graceful shutdown ended a stream, so that its ending is not an error.
private final class ShutdownFlag: Sendable {
    let raised = Atomic<Bool>(false)
}
