import Foundation
import FuzzSupport
@_spi(Fuzzing) import MCPProxyCore
import MCPProxyConfig

/// `HeaderSanitizer.sanitize`, which decides what of a client's header fields reaches the
/// MCP server. The input is lines: the configured token header, the four identity headers
/// (human, agent, team, session) and the session header (an empty line keeps the
/// default), then header lines `name: value`. Besides not crashing: what is forwarded is a
/// subsequence of what came, with no name that has an `_` or folds (ASCII case, `_` as
/// `-`) onto a credential, identity, hop-by-hop or `Connection`-listed name; and without a
/// `Connection` field, nothing else is dropped.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHeaders(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    checkHeaders(Fuzz.bytes(data, size))
    return 0
}

#if !FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
@main enum Replay {
    static func main() { Fuzz.replay(checkHeaders) }
}
#endif

/// A header-mode config as `mcp-runtime render` writes it; the fuzzed names replace its own.
let baseConfig: ProxyConfig = {
    do {
        return try ProxyConfigDecoder.decode(Data(baseConfigJSON.utf8), source: "FuzzHeaders")
    } catch {
        fatalError("\(error)")
    }
}()

func checkHeaders(_ input: [UInt8]) {
    var lines = Fuzz.lines(input, limit: 71)
    guard lines.count >= 6 else { return }
    var config = baseConfig
    func take(_ keyPath: WritableKeyPath<ProxyConfig, String>) {
        let line = lines.removeFirst()
        if !line.isEmpty { config[keyPath: keyPath] = line }
    }
    take(\.auth.tokenHeader)
    take(\.auth.identityHeaders.human)
    take(\.auth.identityHeaders.agent)
    take(\.auth.identityHeaders.team)
    take(\.auth.identityHeaders.session)
    take(\.session.headerName)
    let headers = lines.prefix(64).map(Fuzz.header)

    let forwarded = HeaderSanitizer(config: config).sanitize(headers)
    let context = "config names \([config.auth.tokenHeader, config.auth.identityHeaders.human, config.auth.identityHeaders.agent, config.auth.identityHeaders.team, config.auth.identityHeaders.session, config.session.headerName]), headers \(headers)"

    // A subsequence, unchanged.
    var next = 0
    for header in forwarded {
        while next < headers.count, !(same(headers[next].name, header.name) && same(headers[next].value, header.value)) { next += 1 }
        Fuzz.require(next < headers.count, "forwarded \(header), which is not among the client's in order: \(context)")
        next += 1
    }

    // Credentials, framing and the MCP session (the proxy sets it from the sealed id),
    // plus the sanitizer's own lists of other gateways' identity and rewriting fields.
    var protected: Set<String> = [
        "authorization", "proxy-authorization", "cookie", "host", "mcp-session-id",
        "connection", "keep-alive", "te", "trailer", "transfer-encoding", "upgrade", "proxy-connection", "content-length",
    ]
    protected.formUnion(HeaderSanitizer.forwardedIdentity)
    protected.formUnion(HeaderSanitizer.requestRewriting)
    for name in [config.auth.tokenHeader, config.auth.identityHeaders.human, config.auth.identityHeaders.agent,
                 config.auth.identityHeaders.team, config.auth.identityHeaders.session, config.session.headerName] {
        protected.insert(fold(name))
    }
    // Connection-listed names, read over bytes as an HTTP server reads a list: split at
    // `,`, optional whitespace (space, tab) around each.
    var listed: Set<String> = []
    for header in headers where fold(header.name) == "connection" {
        for item in header.value.utf8.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: true) {
            let name = item.drop { $0 == 0x20 || $0 == 0x09 }.reversed().drop { $0 == 0x20 || $0 == 0x09 }.reversed()
            if !name.isEmpty { listed.insert(fold(String(decoding: Array(name), as: UTF8.self))) }
        }
    }
    for header in forwarded {
        Fuzz.require(!header.name.utf8.contains(UInt8(ascii: "_")), "forwarded \(header.name.debugDescription), which has an underscore: \(context)")
        Fuzz.require(!protected.contains(fold(header.name)), "forwarded \(header.name.debugDescription), which folds onto a protected name: \(context)")
        Fuzz.require(!listed.contains(fold(header.name)), "forwarded \(header.name.debugDescription), which Connection lists: \(context)")
    }
    if listed.isEmpty, !headers.contains(where: { fold($0.name) == "connection" }) {
        let expected = headers.filter { !$0.name.utf8.contains(UInt8(ascii: "_")) && !protected.contains(fold($0.name)) }
        Fuzz.require(expected.count == forwarded.count, "forwarded \(forwarded.count) of the \(expected.count) fields that may go upstream: \(context)")
    }
}

/// ASCII case folded and `_` read as `-`, over bytes.
func fold(_ name: String) -> String {
    String(decoding: name.utf8.map { byte in
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): byte | 0x20
        case UInt8(ascii: "_"): UInt8(ascii: "-")
        default: byte
        }
    }, as: UTF8.self)
}

func same(_ a: String, _ b: String) -> Bool { Array(a.utf8) == Array(b.utf8) }

/// `mcp-runtime render -f manifests/samples/ --proxy-config tickets`, compacted.
let baseConfigJSON = #"{"auth":{"allowedOrigins":["https://internal-mcp.example.com"],"identityHeaders":{"agent":"X-MCP-Agent-ID","human":"X-Forwarded-User","session":"X-MCP-Agent-Session","team":"X-MCP-Team-ID"},"mode":"header","tokenHeader":"Authorization"},"grants":[],"limits":{"maxBodyBytes":1048576},"policy":{"defaultDecision":"deny","mode":"allow-list","version":"v1"},"resource":{"name":"tickets","path":"/tickets/mcp","uri":"https://internal-mcp.example.com/tickets/mcp"},"revision":"sha256:b5fab64176864efceb0d71a814d29fc12cd867f8fe980bd1618d32072e92b75d","server":{"name":"tickets","namespace":"mcp-servers","teamID":"support"},"session":{"headerName":"X-MCP-Agent-Session","idleTimeoutSeconds":3600,"maxLifetimeSeconds":86400,"required":false,"upstreamTokenHeader":"Authorization"},"sessions":[],"tools":[{"name":"list_tickets","requiredScopes":[],"requiredTrust":"low","sideEffect":"read"},{"name":"close_ticket","requiredScopes":[],"requiredTrust":"medium","sideEffect":"write"}],"upstream":{"auth":{"mode":"none"},"url":"http://tickets-server.mcp-servers.svc:80/tickets/mcp"},"version":1}"#
