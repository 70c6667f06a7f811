import HTTPTypes
import NIOCore
import NIOEmbedded
import MCPProxyConfig
import NIOHTTPTypes
import Testing

@testable import MCPProxyServer

/// The deadlines of a client connection on an embedded channel whose clock the test
/// moves: nothing here waits for real time.
@Suite struct ConnectionDeadlinesTests {
    static let timeouts = ConnectionDeadlines.Timeouts(requestHead: .seconds(30), body: .seconds(60), keepAliveIdle: .seconds(90))

    func connected() throws -> EmbeddedChannel {
        let channel = EmbeddedChannel(handler: ConnectionDeadlines(timeouts: Self.timeouts))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        return channel
    }

    static let head = HTTPRequestPart.head(HTTPRequest(method: .post, scheme: nil, authority: "x", path: "/mcp"))
    static let answer = HTTPResponsePart.head(HTTPResponse(status: .ok))

    @Test("a connection that sends nothing is closed after the keep-alive idle time")
    func idle() throws {
        let channel = try connected()
        channel.embeddedEventLoop.advanceTime(by: .seconds(89))
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(!channel.isActive)
    }

    @Test("a head that does not complete is closed after the head timeout, however many bytes trickle in")
    func trickledHead() throws {
        let channel = try connected()
        channel.embeddedEventLoop.advanceTime(by: .seconds(10))
        for _ in 0..<29 {
            channel.pipeline.fireChannelReadComplete()  // bytes arrived, no head yet
            channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        }
        #expect(channel.isActive)
        channel.pipeline.fireChannelReadComplete()
        channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(!channel.isActive, "30 s after the head's first byte")
    }

    @Test("a body that does not complete is closed after the body timeout")
    func trickledBody() throws {
        let channel = try connected()
        try channel.writeInbound(Self.head)
        for _ in 0..<59 {
            try channel.writeInbound(HTTPRequestPart.body(ByteBuffer(string: "x")))
            channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        }
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(!channel.isActive)
    }

    @Test("no deadline while an answer streams; the idle time starts when it ends")
    func answering() throws {
        let channel = try connected()
        try channel.writeInbound(Self.head)
        try channel.writeInbound(HTTPRequestPart.end(nil))
        try channel.writeOutbound(Self.answer)
        channel.embeddedEventLoop.advanceTime(by: .hours(2))
        #expect(channel.isActive, "an SSE stream may last")
        try channel.writeOutbound(HTTPResponsePart.end(nil))
        channel.embeddedEventLoop.advanceTime(by: .seconds(89))
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(!channel.isActive)
    }

    @Test("an answer sent before the body (a refusal): the body's drain is bounded, then the idle time runs")
    func answeredBeforeBody() throws {
        let channel = try connected()
        try channel.writeInbound(Self.head)
        try channel.writeOutbound(Self.answer)
        try channel.writeOutbound(HTTPResponsePart.end(nil))
        channel.embeddedEventLoop.advanceTime(by: .seconds(59))
        #expect(channel.isActive)
        try channel.writeInbound(HTTPRequestPart.end(nil))
        channel.embeddedEventLoop.advanceTime(by: .seconds(89))
        #expect(channel.isActive, "the idle time started with the body's end")
        channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(!channel.isActive)
    }

    @Test("defaults: a head must complete within 30 s")
    func defaults() {
        let limits = ProxyConfig.Limits.defaults
        #expect(ConnectionDeadlines.Timeouts(limits).requestHead == .seconds(30))
        #expect(limits.maxHeaderBytes == 32 * 1024 && limits.maxHeaderCount == 100)
    }
}
