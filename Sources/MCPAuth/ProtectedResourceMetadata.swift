import Foundation
import KubeCore
import MCPProxyConfig

/// The RFC 9728 Protected Resource Metadata document of a server in oauth mode.
public enum ProtectedResourceMetadata {
    /// The JSON body, or nil when the config has no canonical URI or no oauth settings.
    /// `resource` is the canonical URI character for character; empty fields are omitted.
    public static func document(for config: ProxyConfig) -> Data? {
        guard let uri = config.resource.uri, let oauth = config.auth.oauth else { return nil }
        var members: [String: JSONValue] = [
            "resource": .string(uri),
            "authorization_servers": .array([.string(oauth.issuer)]),
            "bearer_methods_supported": .array([.string("header")]),
        ]
        if !oauth.scopesSupported.isEmpty { members["scopes_supported"] = .array(oauth.scopesSupported.map(JSONValue.string)) }
        if !config.resource.name.isEmpty { members["resource_name"] = .string(config.resource.name) }
        return try? KubeJSON.encode(JSONValue.object(members))
    }
}
