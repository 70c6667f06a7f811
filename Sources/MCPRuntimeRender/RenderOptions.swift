import MCPRuntimeAPI

/// Operator-wide settings that rendering needs but no `MCPServer` carries.
public struct RenderOptions: Sendable, Hashable {
    /// The `mcp-proxy` image used when `spec.gateway.image` is unset.
    public var proxyImage: String
    /// Request bodies larger than this are refused by the proxy with 413.
    public var maxBodyBytes: Int

    public static let defaultProxyImage = "ghcr.io/mcp-runtime/mcp-proxy:\(MCPRuntimeVersion.current)"

    public init(proxyImage: String = RenderOptions.defaultProxyImage, maxBodyBytes: Int = 1 << 20) {
        self.proxyImage = proxyImage
        self.maxBodyBytes = maxBodyBytes
    }
}
