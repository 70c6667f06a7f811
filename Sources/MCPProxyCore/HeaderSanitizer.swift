import Foundation
import MCPAuth
import MCPProxyConfig

/// Removes from a client's headers everything that must not reach the MCP server:
/// credentials (the token header, `Authorization`, `Proxy-Authorization`, cookies), the
/// identity and session headers a client could spoof, and hop-by-hop fields.
public struct HeaderSanitizer: Sendable {
    private let removed: Set<String>

    /// Fields that describe one connection or one message's framing (RFC 9110 §7.6.1),
    /// never copied between the client's and the upstream's connections, either way.
    public static let hopByHop: Set<String> = [
        "connection", "keep-alive", "te", "trailer", "transfer-encoding", "upgrade", "proxy-connection", "content-length",
    ]

    init(config: ProxyConfig) {
        let identity = config.auth.identityHeaders
        removed = Set(
            [config.auth.tokenHeader, "authorization", "proxy-authorization", "cookie",
             identity.human, identity.agent, identity.team, identity.session, config.session.headerName]
                .map { $0.lowercased() }
        ).union(Self.hopByHop).union(["host"])
    }

    func sanitize(_ headers: [(name: String, value: String)]) -> [(name: String, value: String)] {
        // Fields the client lists in Connection are hop-by-hop too.
        let listed = Set(headers.filter { $0.name.equalsIgnoringASCIICase("connection") }
            .flatMap { $0.value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() } })
        return headers.filter { !removed.contains($0.name.lowercased()) && !listed.contains($0.name.lowercased()) }
    }
}
