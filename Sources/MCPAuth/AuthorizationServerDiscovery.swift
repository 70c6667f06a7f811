import Foundation

/// Where to find an authorization server's metadata, in the MCP spec's order
/// (RFC 8414 path insertion first, then OpenID Connect Discovery forms).
public enum AuthorizationServerDiscovery {
    /// The metadata URLs to try for `issuer`, in order; empty if the issuer is no http(s) URL.
    /// The metadata found must carry `issuer` equal to the issuer, character for character.
    public static func metadataCandidates(issuer: String) -> [String] {
        guard let components = URLComponents(string: issuer), let scheme = components.scheme?.lowercased(),
              scheme == "https" || scheme == "http", let hostRange = components.rangeOfHost,
              components.query == nil, components.fragment == nil
        else { return [] }
        var authority = String(issuer[hostRange])
        if let port = components.port { authority += ":\(port)" }
        let origin = "\(scheme)://\(authority)"
        var path = components.percentEncodedPath
        while path.hasSuffix("/") { path.removeLast() }
        if path.isEmpty {
            return [
                "\(origin)/.well-known/oauth-authorization-server",
                "\(origin)/.well-known/openid-configuration",
            ]
        }
        return [
            "\(origin)/.well-known/oauth-authorization-server\(path)",
            "\(origin)/.well-known/openid-configuration\(path)",
            "\(origin)\(path)/.well-known/openid-configuration",
        ]
    }
}
