import KubeCore

/// `mcpruntime.org/v1alpha1` `MCPServer`: one MCP server and the proxy in front of it.
public struct MCPServer: KubeResource, Hashable {
    public static let apiVersion = MCPRuntimeGroup.apiVersion
    public static let kind = "MCPServer"
    public static let plural = "mcpservers"

    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var spec: MCPServerSpec
    public var status: MCPServerStatus?

    public init(metadata: ObjectMeta, spec: MCPServerSpec, status: MCPServerStatus? = nil) {
        self.apiVersion = Self.apiVersion
        self.kind = Self.kind
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }
}

/// The desired state of an `MCPServer`. Field names are those of the original project,
/// plus `publicURL`, the OAuth fields of `auth`, `tools[].requiredScopes`, `upstreamAuth`
/// and `bindings`.
public struct MCPServerSpec: Codable, Sendable, Hashable {
    public var teamID: String?
    public var description: String?
    public var image: String?
    public var imageTag: String?
    public var registryOverride: String?
    public var useProvisionedRegistry: Bool?
    public var imagePullSecrets: [String]?
    public var replicas: Int?
    public var port: Int?
    public var servicePort: Int?
    public var ingressPath: String?
    public var ingressHost: String?
    public var publicPathPrefix: String?
    public var ingressClass: String?
    public var ingressAnnotations: [String: String]?
    /// The explicit canonical resource URI; otherwise derived from host and route.
    public var publicURL: String?
    public var resources: ComputeResources?
    public var envVars: [EnvVarSpec]?
    public var secretEnvVars: [SecretEnvVarSpec]?
    public var tools: [ToolConfig]?
    public var prompts: [InventoryItem]?
    public var mcpResources: [InventoryItem]?
    public var tasks: [InventoryItem]?
    public var auth: AuthConfig?
    public var policy: PolicyConfig?
    public var session: SessionConfig?
    public var gateway: GatewayConfig?
    public var analytics: AnalyticsConfig?
    public var rollout: RolloutConfig?
    /// The only ways credentials reach the upstream MCP server.
    public var upstreamAuth: UpstreamAuthConfig?
    /// Which other namespaces' grants and sessions bind to this server.
    public var bindings: BindingsConfig?
    /// Requests per human, per agent and per tool (docs/governance.md, "Rate limits").
    public var rateLimits: RateLimitsConfig?

    public init(image: String? = nil) {
        self.image = image
    }
}

/// CPU and memory limits and requests.
public struct ComputeResources: Codable, Sendable, Hashable {
    public var limits: ResourceList?
    public var requests: ResourceList?

    public init(limits: ResourceList? = nil, requests: ResourceList? = nil) {
        self.limits = limits
        self.requests = requests
    }
}

/// Quantities such as `500m` and `256Mi`.
public struct ResourceList: Codable, Sendable, Hashable {
    public var cpu: String?
    public var memory: String?

    public init(cpu: String? = nil, memory: String? = nil) {
        self.cpu = cpu
        self.memory = memory
    }
}

/// A literal environment variable of the MCP server container.
public struct EnvVarSpec: Codable, Sendable, Hashable {
    public var name: String?
    public var value: String?

    public init(name: String? = nil, value: String? = nil) {
        self.name = name
        self.value = value
    }
}

/// A Secret-backed environment variable of the MCP server container.
public struct SecretEnvVarSpec: Codable, Sendable, Hashable {
    public var name: String?
    public var secretKeyRef: SecretKeyRef?

    public init(name: String? = nil, secretKeyRef: SecretKeyRef? = nil) {
        self.name = name
        self.secretKeyRef = secretKeyRef
    }
}

/// One MCP tool: what governance needs to know about it.
public struct ToolConfig: Codable, Sendable, Hashable {
    public var name: String?
    public var description: String?
    /// `low` (default), `medium` or `high`.
    public var requiredTrust: String?
    /// `read`, `write` or `destructive` (required).
    public var sideEffect: String?
    public var riskLevel: String?
    public var labels: [String: String]?
    /// OAuth scopes a token must carry to call this tool.
    public var requiredScopes: [String]?

    public init(name: String? = nil, sideEffect: String? = nil, requiredTrust: String? = nil, requiredScopes: [String]? = nil) {
        self.name = name
        self.sideEffect = sideEffect
        self.requiredTrust = requiredTrust
        self.requiredScopes = requiredScopes
    }
}

/// A named prompt, resource or task (inventory only).
public struct InventoryItem: Codable, Sendable, Hashable {
    public var name: String?
    public var description: String?
    public var labels: [String: String]?

    public init(name: String? = nil) {
        self.name = name
    }
}
