import HTTPTypes
import NIOCore
import MCPProxyConfig
import NIOHTTPTypes

/// Closes a client connection that holds the proxy without making progress: no request
/// for `keepAliveIdle` on a connection between exchanges, a request head not complete
/// `requestHead` after its first byte arrived (a partial or trickled head: slowloris), a
/// body not complete `body` after its head (a trickled body; also bounds the body of a
/// refused request, which the server drains). No deadline runs while an answer is being
/// produced or streamed (SSE): the upstream's own timeout and the client's pace govern.
/// Lives on the channel's event loop, after the HTTP decoder.
final class ConnectionDeadlines: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    struct Timeouts: Sendable, Hashable {
        var requestHead: TimeAmount
        var body: TimeAmount
        var keepAliveIdle: TimeAmount
    }

    /// What the connection is waiting for.
    private enum State {
        /// Between exchanges: nothing of the next request has arrived.
        case idle
        /// Bytes of a request head arrived; the head is not complete.
        case readingHead
        /// The head arrived; the body is not complete.
        case readingBody
        /// Requests complete, answers outstanding.
        case answering
    }

    private let timeouts: Timeouts
    private var state = State.idle
    /// Requests read whole less answers finished: above 0 while answers are outstanding
    /// (more than 1 when pipelined), below 0 while a body is read after its answer (a
    /// refusal sent before the body, which the server then drains).
    private var outstanding = 0
    private var deadline: Scheduled<Void>?
    /// Whether the read now completing delivered a part (then its bytes were not the
    /// start of a new head).
    private var readParts = false

    init(timeouts: Timeouts) {
        self.timeouts = timeouts
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { enter(.idle, context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        enter(.idle, context: context)
        context.fireChannelActive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        readParts = true
        switch unwrapInboundIn(data) {
        case .head:
            enter(.readingBody, context: context)
        case .body:
            break
        case .end:
            outstanding += 1
            enter(outstanding > 0 ? .answering : .idle, context: context)
        }
        context.fireChannelRead(data)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        // Bytes arrived that made no part: a head has begun, and its deadline starts now.
        if case .idle = state, !readParts { enter(.readingHead, context: context) }
        readParts = false
        context.fireChannelReadComplete()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) {
            outstanding -= 1
            if outstanding <= 0, case .answering = state { enter(.idle, context: context) }
        }
        context.write(data, promise: promise)
    }

    private func enter(_ next: State, context: ChannelHandlerContext) {
        state = next
        deadline?.cancel()
        deadline = nil
        let timeout: TimeAmount
        switch next {
        case .idle: timeout = timeouts.keepAliveIdle
        case .readingHead: timeout = timeouts.requestHead
        case .readingBody: timeout = timeouts.body
        case .answering: return
        }
        deadline = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) { [context] in
            context.close(promise: nil)
        }
    }
}

extension ConnectionDeadlines.Timeouts {
    init(_ limits: ProxyConfig.Limits) {
        self.init(
            requestHead: .seconds(Int64(limits.requestHeadTimeoutSeconds)), body: .seconds(Int64(limits.bodyTimeoutSeconds)),
            keepAliveIdle: .seconds(Int64(limits.keepAliveIdleSeconds))
        )
    }
}
