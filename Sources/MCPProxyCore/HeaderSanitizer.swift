import Foundation
import MCPAuth
import MCPProxyConfig

/// Removes from a client's headers everything that must not reach the MCP server:
/// credentials (the token header, `Authorization`, `Proxy-Authorization`, cookies), the
/// identity and session headers a client could spoof, identity that other gateways
/// forward (`X-Forwarded-User`, ...), hop-by-hop fields, and every name with an
/// underscore, which CGI-style servers (WSGI, PHP, ...) fold into the dashed name
/// (`X_MCP_Human_ID` becomes `X-MCP-Human-ID` there), as nginx and Envoy drop them too.
public struct HeaderSanitizer: Sendable {
    private let removed: Set<String>

    /// Fields that describe one connection or one message's framing (RFC 9110 §7.6.1),
    /// never copied between the client's and the upstream's connections, either way.
    public static let hopByHop: Set<String> = [
        "connection", "keep-alive", "te", "trailer", "transfer-encoding", "upgrade", "proxy-connection", "content-length",
    ]

    /// Identity that authenticating proxies (oauth2-proxy, ingress auth) hand to the
    /// server behind them: a server built for one of them would believe a client's.
    @_spi(Fuzzing) public static let forwardedIdentity: Set<String> = [
        "x-forwarded-user", "x-forwarded-email", "x-forwarded-groups", "x-forwarded-preferred-username", "x-forwarded-access-token",
        "x-auth-request-user", "x-auth-request-email", "x-auth-request-groups", "x-auth-request-preferred-username",
        "x-auth-request-access-token", "x-remote-user", "x-remote-group", "remote-user", "x-user", "x-email",
        "x-webauth-user", "x-webauth-email", "x-authenticated-user", "x-authenticated-userid", "x-auth-user", "x-consumer-username",
        "x-consumer-id", "x-consumer-custom-id", "x-credential-identifier", "x-goog-authenticated-user-email", "x-goog-authenticated-user-id",
        "x-goog-iap-jwt-assertion", "cf-access-authenticated-user-email", "cf-access-jwt-assertion", "x-amzn-oidc-identity",
        "x-amzn-oidc-data", "x-amzn-oidc-accesstoken", "x-ms-client-principal", "x-ms-client-principal-name", "x-ms-client-principal-id",
        "x-ms-client-principal-idp", "x-ms-token-aad-access-token", "x-ms-token-aad-id-token", "x-forwarded-client-cert", "ssl-client-cert",
        "x-ssl-client-cert", "x-client-cert", "x-client-dn", "x-ssl-client-dn", "x-ssl-client-verify",
    ]

    /// Fields that some servers and frameworks take to rewrite the request itself (its
    /// path or method), behind the proxy's decision on the request it saw.
    @_spi(Fuzzing) public static let requestRewriting: Set<String> = [
        "x-original-url", "x-rewrite-url", "x-original-uri", "x-http-method-override", "x-http-method", "x-method-override",
    ]

    @_spi(Fuzzing) public init(config: ProxyConfig) {
        let identity = config.auth.identityHeaders
        removed = Set(
            [config.auth.tokenHeader, "authorization", "proxy-authorization", "cookie",
             identity.human, identity.agent, identity.team, identity.session, config.session.headerName, SessionBinding.header]
                .map(Self.folded)
        ).union(Self.hopByHop).union(Self.forwardedIdentity).union(Self.requestRewriting).union(["host"])
    }

    @_spi(Fuzzing) public func sanitize(_ headers: [(name: String, value: String)]) -> [(name: String, value: String)] {
        let connectionScoped = Self.connectionScoped(headers)
        return headers.filter { header in
            guard !header.name.utf8.contains(UInt8(ascii: "_")) else { return false }
            let name = Self.folded(header.name)
            return !removed.contains(name) && !connectionScoped.contains(name)
        }
    }

    /// The names, folded, that `Connection` lists: hop-by-hop for this message only
    /// (RFC 9110 §7.6.1), on a request as on an answer. Split over bytes: a `,` after a
    /// prepended mark (U+0600) is one Character with it, and still a separator.
    public static func connectionScoped(_ headers: some Sequence<(name: String, value: String)>) -> Set<String> {
        var names: Set<String> = []
        for header in headers where header.name.equalsIgnoringASCIICase("connection") {
            for name in header.value.utf8.split(separator: UInt8(ascii: ",")) {
                names.insert(folded(String(decoding: name, as: UTF8.self).trimmingCharacters(in: .whitespaces)))
            }
        }
        return names
    }

    /// A header name as every server compares it: ASCII case folded and `_` read as `-`.
    public static func folded(_ name: some StringProtocol) -> String {
        String(decoding: name.utf8.map { byte in
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): byte | 0x20
            case UInt8(ascii: "_"): UInt8(ascii: "-")
            default: byte
            }
        }, as: UTF8.self)
    }
}
