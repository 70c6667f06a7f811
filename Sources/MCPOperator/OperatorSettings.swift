import MCPRuntimeRender

/// How `mcp-runtime operator` runs: what it watches, whether it elects a leader, where it
/// serves health and metrics, and the rendering defaults.
public struct OperatorSettings: Sendable {
    /// The namespace to watch; nil watches all.
    public var namespace: String?
    public var leaderElection: Bool
    public var leaseNamespace: String
    public var leaseName = "mcp-runtime-operator"
    /// This instance's name in the Lease and in Events (the pod name in a cluster).
    public var identity: String
    public var adminHost: String
    public var adminPort: Int
    public var workers = 4
    public var render: RenderOptions

    public init(namespace: String?, leaderElection: Bool, leaseNamespace: String, identity: String, adminHost: String, adminPort: Int, render: RenderOptions) {
        self.namespace = namespace
        self.leaderElection = leaderElection
        self.leaseNamespace = leaseNamespace
        self.identity = identity
        self.adminHost = adminHost
        self.adminPort = adminPort
        self.render = render
    }
}
