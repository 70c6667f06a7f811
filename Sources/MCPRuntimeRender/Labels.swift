import MCPRuntimeAPI

/// The labels and names of everything rendered for one server.
public struct ServerNames: Sendable {
    public let server: String
    public let namespace: String

    public init(server: String, namespace: String) {
        self.server = server
        self.namespace = namespace
    }

    /// The public Service and the Ingress: what clients reach.
    public var publicService: String { server }
    public var ingress: String { server }
    /// The MCP server's Deployment and internal Service.
    public var serverWorkload: String { "\(server)-server" }
    /// The proxy's Deployment.
    public var proxyWorkload: String { "\(server)-proxy" }
    public var proxyConfigMap: String { "\(server)-proxy-config" }
    /// The proxy's ServiceAccount, and the Role and RoleBinding that let it read its ConfigMap.
    public var proxyAccount: String { "\(server)-proxy" }
    public var networkPolicy: String { "\(server)-server" }
    /// Header mode with trusted sources: the proxy's own NetworkPolicy.
    public var proxyNetworkPolicy: String { "\(server)-proxy" }

    /// Labels on every rendered object.
    public var common: [String: String] {
        [
            "app.kubernetes.io/instance": server,
            "app.kubernetes.io/part-of": "mcp-runtime",
            "app.kubernetes.io/managed-by": "mcp-runtime",
            Labels.serverKey: server,
        ]
    }

    /// Selects the MCP server's pods. Stable: Deployment selectors are immutable.
    public var serverSelector: [String: String] {
        ["app.kubernetes.io/instance": server, "app.kubernetes.io/component": "server"]
    }

    /// Selects the proxy's pods.
    public var proxySelector: [String: String] {
        ["app.kubernetes.io/instance": server, "app.kubernetes.io/component": "proxy"]
    }

    public var serverLabels: [String: String] {
        common.merging(serverSelector) { $1 }.merging(["app.kubernetes.io/name": "mcp-server"]) { $1 }
    }

    public var proxyLabels: [String: String] {
        common.merging(proxySelector) { $1 }.merging(["app.kubernetes.io/name": "mcp-proxy"]) { $1 }
    }
}

/// Label and annotation keys of the project.
public enum Labels {
    /// The `MCPServer` an object belongs to.
    public static let serverKey = "mcpruntime.org/server"
    /// The content revision of a rendered proxy configuration.
    public static let configRevision = "mcpruntime.org/config-revision"
}
