import KubeCore

/// The observed state of an `MCPServer`, written by the operator.
public struct MCPServerStatus: Codable, Sendable, Hashable {
    /// `Pending`, `PartiallyReady`, `Ready` or `Error`.
    public var phase: String?
    public var message: String?
    /// The canonical resource URI.
    public var url: String?
    public var observedGeneration: Int64?
    /// The content revision of the rendered proxy configuration.
    public var configRevision: String?
    public var conditions: [Condition]?

    public init() {}
}
