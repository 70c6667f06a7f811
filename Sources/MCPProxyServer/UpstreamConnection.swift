import NIOCore
import NIOHTTP1
import Synchronization

/// One answer of the upstream. `complete` when the whole body arrived with the head (the
/// usual JSON answer, sent on whole); `stream` otherwise (server-sent events), read from
/// the connection as the consumer takes it.
struct UpstreamResponse: Sendable {
    var head: HTTPResponseHead
    var body: Body

    enum Body: Sendable {
        case complete(ByteBuffer)
        /// The body still arriving, and how to end it early (the connection is then closed).
        case stream(UpstreamBody, abandon: @Sendable () -> Void)
    }
}

extension UpstreamResponse.Body {
    /// A whole body of no bytes.
    var isEmpty: Bool {
        if case .complete(let buffer) = self { return buffer.readableBytes == 0 }
        return false
    }
}

typealias UpstreamBody = NIOThrowingAsyncSequenceProducer<
    ByteBuffer, any Error, NIOAsyncSequenceProducerBackPressureStrategies.HighLowWatermark, UpstreamBodyDelegate
>

/// Why an exchange with the upstream failed.
enum UpstreamError: Error, Sendable, Equatable {
    /// No answer (head) before the deadline, or no connection within the connect timeout.
    case timeout
    /// The connection was gone before the request was written: nothing reached the upstream.
    case notSent
    /// The connection closed or failed after the request was written.
    case closed
    /// The upstream answered with something that is not HTTP/1.1.
    case protocolViolation
    /// A body on a method whose framing would not carry it: never written.
    case unframedBody
}

/// The exchange state of one upstream HTTP/1.1 connection, one request at a time: writes
/// the request head, body and end with one flush, collects an answer that arrives whole
/// within one read, and otherwise streams the body with back-pressure (reads stop while
/// the consumer is behind). When an answer ends on a keep-alive connection, the
/// connection is offered back for reuse and closed after `idleTimeout` unused.
/// Lives on the channel's event loop only.
final class UpstreamConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    private enum State {
        case idle
        case awaitingHead(EventLoopPromise<UpstreamResponse>)
        case collecting(EventLoopPromise<UpstreamResponse>, HTTPResponseHead, ByteBuffer?)
        case streaming(UpstreamBody.Source)
        case closed
    }

    /// Collected answers larger than this are streamed instead.
    static let collectLimit = 256 * 1024

    private var state = State.idle
    private var context: ChannelHandlerContext?
    private var keepAlive = true
    /// The exchange in progress, so that a late cancellation or a finished body's consumer
    /// never closes the connection under a later exchange.
    private var exchange: UpstreamExchange?
    private var deadline: Scheduled<Void>?
    private var idleClose: Scheduled<Void>?
    private let idleTimeout: TimeAmount
    private let onReusable: (any Channel) -> Void

    init(idleTimeout: TimeAmount, onReusable: @escaping (any Channel) -> Void) {
        self.idleTimeout = idleTimeout
        self.onReusable = onReusable
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    /// Sends one request; the future has the answer's head and body. Nil when the request
    /// was abandoned already or this connection cannot take one now (closed, or busy).
    func start(_ exchange: UpstreamExchange, _ head: HTTPRequestHead, body: ByteBuffer?, deadline: NIODeadline) -> EventLoopFuture<UpstreamResponse>? {
        guard let context, case .idle = state, context.channel.isActive, !exchange.abandoned.load(ordering: .acquiring) else { return nil }
        idleClose?.cancel()
        idleClose = nil
        self.exchange = exchange
        let promise = context.eventLoop.makePromise(of: UpstreamResponse.self)
        state = .awaitingHead(promise)
        keepAlive = head.isKeepAlive
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if let body, body.readableBytes > 0 { context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil) }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        self.deadline = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) { [self] in
            if case .awaitingHead = state { fail(UpstreamError.timeout) }
        }
        return promise.futureResult
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch (unwrapInboundIn(data), state) {
        case (.head(let head), .awaitingHead(let promise)):
            // The proxy never asks to switch protocols (Upgrade is hop-by-hop): a 101 is a fault.
            if head.status == .switchingProtocols { return fail(UpstreamError.protocolViolation) }
            // Interim answers (100 Continue, 103 Early Hints) are not the answer.
            if (100..<200).contains(head.status.code) { return }
            deadline?.cancel()
            deadline = nil
            keepAlive = keepAlive && head.isKeepAlive
            state = .collecting(promise, head, nil)
        case (.body(var part), .collecting(let promise, let head, var collected)):
            if collected == nil { collected = part } else { collected!.writeBuffer(&part) }
            state = .collecting(promise, head, collected)
            if collected!.readableBytes > Self.collectLimit { stream(promise, head, collected, context: context) }
        case (.body(let part), .streaming(let source)):
            if source.yield(part) == .stopProducing { try? context.channel.syncOptions?.setOption(ChannelOptions.autoRead, value: false) }
        case (.end, .collecting(let promise, let head, let collected)):
            state = .idle
            finished(context: context)
            promise.succeed(UpstreamResponse(head: head, body: .complete(collected ?? ByteBuffer())))
        case (.end, .streaming(let source)):
            state = .idle
            finished(context: context)
            source.finish()
        default:
            fail(UpstreamError.protocolViolation)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        // The answer did not arrive whole in one read: stream what is here and what follows.
        if case .collecting(let promise, let head, let collected) = state { stream(promise, head, collected, context: context) }
        context.fireChannelReadComplete()
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(UpstreamError.closed)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(error is HTTPParserError ? UpstreamError.protocolViolation : UpstreamError.closed)
    }

    /// The requester gave up (cancelled), or the body's consumer is gone (done, or the
    /// client left): an exchange still in progress leaves the connection unusable.
    func abandon(_ exchange: UpstreamExchange) {
        guard exchange === self.exchange else { return }
        fail(UpstreamError.closed)
    }

    /// `abandon` on the channel's loop, from anywhere.
    static func abandon(_ exchange: UpstreamExchange, on channel: any Channel) {
        exchange.abandoned.store(true, ordering: .releasing)
        channel.eventLoop.execute {
            try? channel.pipeline.syncOperations.handler(type: UpstreamConnectionHandler.self).abandon(exchange)
        }
    }

    private func stream(_ promise: EventLoopPromise<UpstreamResponse>, _ head: HTTPResponseHead, _ collected: ByteBuffer?, context: ChannelHandlerContext) {
        // An exchange is always in progress while collecting; a stand-in never matches.
        let exchange = exchange ?? UpstreamExchange()
        let channel = context.channel
        let delegate = UpstreamBodyDelegate(channel: channel, exchange: exchange)
        let body = UpstreamBody.makeSequence(
            elementType: ByteBuffer.self, failureType: (any Error).self,
            backPressureStrategy: .init(lowWatermark: 2, highWatermark: 16), finishOnDeinit: true, delegate: delegate
        )
        if let collected { _ = body.source.yield(collected) }
        state = .streaming(body.source)
        promise.succeed(UpstreamResponse(head: head, body: .stream(body.sequence, abandon: { Self.abandon(exchange, on: channel) })))
    }

    /// The answer ended: reuse the connection, or close it when either side said so.
    private func finished(context: ChannelHandlerContext) {
        exchange = nil
        guard keepAlive, context.channel.isActive else {
            state = .closed
            context.close(promise: nil)
            return
        }
        try? context.channel.syncOptions?.setOption(ChannelOptions.autoRead, value: true)
        idleClose = context.eventLoop.assumeIsolated().scheduleTask(in: idleTimeout) { [self] in
            if case .idle = state { fail(UpstreamError.closed) }
        }
        onReusable(context.channel)
    }

    private func fail(_ error: UpstreamError) {
        let previous = state
        state = .closed
        exchange = nil
        deadline?.cancel()
        idleClose?.cancel()
        switch previous {
        case .awaitingHead(let promise), .collecting(let promise, _, _): promise.fail(error)
        case .streaming(let source): source.finish(error)
        case .idle, .closed: break
        }
        context?.close(promise: nil)
    }
}

/// Names one request-answer exchange on a connection; abandoned (by its requester's
/// cancellation) possibly before the connection's loop has started it.
final class UpstreamExchange: Sendable {
    let abandoned = Atomic<Bool>(false)
}

/// Resumes reading when the consumer wants more; tells the connection when it is gone.
struct UpstreamBodyDelegate: NIOAsyncSequenceProducerDelegate {
    let channel: any Channel
    let exchange: UpstreamExchange

    func produceMore() {
        _ = channel.setOption(ChannelOptions.autoRead, value: true)
    }

    func didTerminate() {
        UpstreamConnectionHandler.abandon(exchange, on: channel)
    }
}
