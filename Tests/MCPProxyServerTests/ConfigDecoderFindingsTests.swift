import Foundation
import MCPProxyConfig
import Testing

/// What `hack/fuzz.sh proxyconfig` found in the config decoder: a document that is not
/// JSON in a member the config does not have was taken (Foundation's JSONDecoder
/// validates only what it decodes); the whole document is now read as strict JSON first.
@Suite struct ConfigDecoderFindingsTests {
    static let config = #"{"auth":{"allowedOrigins":[],"identityHeaders":{"agent":"X-MCP-Agent-ID","human":"X-MCP-Human-ID","session":"X-MCP-Agent-Session","team":"X-MCP-Team-ID"},"mode":"none","tokenHeader":"Authorization"},"grants":[],"limits":{"maxBodyBytes":1048576},"policy":{"defaultDecision":"deny","mode":"allow-list","version":"v1"},"resource":{"name":"docs","path":"/docs/mcp"},"server":{"name":"docs","namespace":"mcp-servers"},"session":{"headerName":"X-MCP-Agent-Session","idleTimeoutSeconds":3600,"maxLifetimeSeconds":86400,"required":false,"upstreamTokenHeader":"Authorization"},"sessions":[],"tools":[],"upstream":{"auth":{"mode":"none"},"url":"http://docs-server.mcp-servers.svc:80/docs/mcp"},"version":1"#

    @Test("the config itself decodes")
    func valid() throws {
        _ = try ProxyConfigDecoder.decode(Data((Self.config + "}").utf8), source: "test")
    }

    @Test("not JSON in a member the config does not have, or a member given twice, is refused", arguments: [
        Array(#","version":1}"#.utf8),  // a repeated member
        Array(#","x":"a"#.utf8) + [0x01] + Array(#""}"#.utf8),  // a raw control character
        Array(#","x":"a"#.utf8) + [0xFF] + Array(#""}"#.utf8),  // invalid UTF-8
        Array(#","x":01}"#.utf8),  // a leading zero
    ] as [[UInt8]])
    func invalidUnreadMember(tail: [UInt8]) {
        let data = Data(Array(Self.config.utf8) + tail)
        #expect(throws: ProxyConfigError.self) { try ProxyConfigDecoder.decode(data, source: "test") }
    }
}
