import MCPRuntimeAPI

/// MCP transport rule: a present `Origin` that is not allowed is refused with 403
/// (DNS-rebinding protection). Requests without `Origin` (non-browser clients) pass.
public struct OriginPolicy: Sendable {
    private let allowed: Set<String>

    public init(allowedOrigins: [String]) {
        allowed = Set(allowedOrigins.compactMap(Syntax.normalizedOrigin))
    }

    public func allows(_ origin: String?) -> Bool {
        guard let origin else { return true }
        guard let normalized = Syntax.normalizedOrigin(origin) else { return false }
        return allowed.contains(normalized)
    }
}
