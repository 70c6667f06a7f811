import Foundation

/// The canonical URI of a protected MCP endpoint (MCP authorization 2025-11-25, RFC 8707,
/// RFC 9728): absolute, `https` (plain `http` only for loopback hosts), lowercase scheme
/// and host, no default port, no trailing slash, no query, no fragment, no user info.
/// It is the `resource` clients ask tokens for and the audience tokens must carry.
public struct ResourceURI: Sendable, Hashable, CustomStringConvertible {
    /// `https` or `http`.
    public let scheme: String
    /// Lowercase DNS name, IPv4 address, or bracketed IPv6 literal.
    public let host: String
    /// The port, or nil when it is the scheme's default.
    public let port: Int?
    /// Empty, or `/segment/...` without a trailing slash.
    public let path: String

    /// The canonical string, e.g. `https://mcp.example.com/team-a/mcp`.
    public var description: String { origin + path }

    /// `scheme://host[:port]`.
    public var origin: String {
        "\(scheme)://\(host)" + (port.map { ":\($0)" } ?? "")
    }

    /// The path requests for this resource arrive on (`/` for a root resource).
    public var requestPath: String { path.isEmpty ? "/" : path }

    /// RFC 9728 §3.1: the well-known path inserted between host and path.
    public var metadataPath: String { "/.well-known/oauth-protected-resource" + path }

    /// The absolute URL of the Protected Resource Metadata document.
    public var metadataURL: String { origin + metadataPath }

    /// True for `localhost`, 127.0.0.0/8 and `[::1]`.
    public var isLoopback: Bool { Self.isLoopback(host: host) }

    /// Parses and normalizes an absolute URI.
    public static func parse(_ text: String) throws(ResourceURIError) -> ResourceURI {
        guard !text.contains(where: \.isWhitespace), let components = URLComponents(string: text) else {
            throw .malformed(text)
        }
        guard let rawScheme = components.scheme, components.rangeOfHost != nil else {
            throw .notAbsolute(text)
        }
        let scheme = rawScheme.lowercased()
        guard scheme == "https" || scheme == "http" else { throw .unsupportedScheme(rawScheme) }
        guard components.user == nil, components.password == nil else { throw .hasUserInfo }
        guard components.query == nil else { throw .hasQuery }
        guard components.fragment == nil else { throw .hasFragment }
        guard let hostRange = components.rangeOfHost else { throw .notAbsolute(text) }
        let host = try normalizeHost(String(text[hostRange]))
        if scheme == "http" && !isLoopback(host: host) { throw .insecureScheme(host: host) }
        var port = components.port
        if let value = port {
            guard (1...65535).contains(value) else { throw .invalidPort(String(value)) }
            if (scheme == "https" && value == 443) || (scheme == "http" && value == 80) { port = nil }
        }
        return ResourceURI(scheme: scheme, host: host, port: port, path: try normalizePath(components.percentEncodedPath))
    }

    /// `https://<host><path>` from an ingress host and a route path.
    public static func https(host: String, path: String) throws(ResourceURIError) -> ResourceURI {
        guard !host.contains(where: { $0 == "/" || $0 == ":" || $0 == "@" || $0 == "?" || $0 == "#" }) || host.hasPrefix("[") else {
            throw .invalidHost(host)
        }
        return try parse("https://\(host)\(path)")
    }

    private static func normalizeHost(_ raw: String) throws(ResourceURIError) -> String {
        let host = raw.lowercased()
        guard !host.isEmpty else { throw .invalidHost(raw) }
        if host.hasPrefix("[") {
            let inner = host.dropFirst().dropLast()
            let hex = Set("0123456789abcdef:.")
            guard host.hasSuffix("]"), inner.contains(":"), inner.allSatisfy({ hex.contains($0) }) else {
                throw .invalidHost(raw)
            }
            return host
        }
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789-.")
        let labels = host.split(separator: ".", omittingEmptySubsequences: false)
        guard host.allSatisfy({ allowed.contains($0) }), host.count <= 253,
              labels.allSatisfy({ !$0.isEmpty && $0.count <= 63 && $0.first != "-" && $0.last != "-" })
        else { throw .invalidHost(raw) }
        return host
    }

    private static func normalizePath(_ raw: String) throws(ResourceURIError) -> String {
        var path = raw
        while path.hasSuffix("/") { path.removeLast() }
        if path.isEmpty { return "" }
        guard path.hasPrefix("/") else { throw .invalidPath(raw) }
        let segments = path.dropFirst().split(separator: "/", omittingEmptySubsequences: false)
        guard segments.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." }) else { throw .invalidPath(raw) }
        return path
    }

    static func isLoopback(host: String) -> Bool {
        if host == "localhost" || host == "[::1]" { return true }
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }
}

/// Why a string is not a usable canonical resource URI.
public enum ResourceURIError: Error, Sendable, Hashable, CustomStringConvertible {
    case malformed(String)
    case notAbsolute(String)
    case unsupportedScheme(String)
    case insecureScheme(host: String)
    case hasUserInfo
    case hasQuery
    case hasFragment
    case invalidHost(String)
    case invalidPort(String)
    case invalidPath(String)

    public var description: String {
        switch self {
        case .malformed(let text): "\"\(text)\" is not a valid URI"
        case .notAbsolute(let text): "\"\(text)\" is not an absolute URI with a scheme and a host"
        case .unsupportedScheme(let scheme): "scheme \"\(scheme)\" is not supported; use https"
        case .insecureScheme(let host): "http is allowed only for loopback hosts, not \"\(host)\"; use https"
        case .hasUserInfo: "a resource URI must not carry user info"
        case .hasQuery: "a resource URI must not have a query"
        case .hasFragment: "a resource URI must not have a fragment"
        case .invalidHost(let host): "\"\(host)\" is not a valid host name or IP address"
        case .invalidPort(let port): "port \(port) is out of range"
        case .invalidPath(let path): "path \"\(path)\" has empty or dot segments"
        }
    }
}
