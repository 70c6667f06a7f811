import Hummingbird
import NIOCore
import Synchronization

/// Hummingbird's request context with the client's connection, which a streamed answer
/// watches (`ClientDeparture`).
struct ProxyRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}

/// Ends the upstream's event stream when the client reading it leaves, as the client's
/// own close ends it without the proxy. Otherwise the proxy would notice only when the
/// upstream next writes, which may be never: meanwhile the MCP server takes the stream
/// for read, so it refuses the client another GET stream (one per session) and sends a
/// resumed call's events down the abandoned stream rather than the resumed one, and the
/// upstream connection stays taken. The client has left when its connection closes or it
/// ends its input (the server keeps half-closed connections open: a client that closed
/// its socket mid-stream shows only that).
enum ClientDeparture {
    /// Runs `body` (the copying of a stream to the client on `channel`), calling `leave`
    /// (at most once) if the client leaves meanwhile.
    static func watching<T>(_ channel: any Channel, leave: @escaping @Sendable () -> Void, _ body: () async throws -> T) async throws -> T {
        let watcher = Watcher(leave: leave)
        // Last in the pipeline: every handler before it passes on the end of input and of the connection.
        try? await channel.pipeline.addHandler(watcher).get()
        defer { channel.pipeline.removeHandler(watcher, promise: nil) }
        if !channel.isActive { watcher.left() }
        return try await body()
    }

    final class Watcher: ChannelInboundHandler, RemovableChannelHandler, Sendable {
        typealias InboundIn = NIOAny

        private let leave: @Sendable () -> Void
        private let gone = Atomic<Bool>(false)

        init(leave: @escaping @Sendable () -> Void) {
            self.leave = leave
        }

        func left() {
            if !gone.exchange(true, ordering: .acquiringAndReleasing) { leave() }
        }

        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            if case .inputClosed? = event as? ChannelEvent { left() }
            context.fireUserInboundEventTriggered(event)
        }

        func channelInactive(context: ChannelHandlerContext) {
            left()
            context.fireChannelInactive()
        }
    }
}
