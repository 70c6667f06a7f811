import KubeCore

/// An `MCPServer` after defaulting and validation: typed, complete, ready to render.
/// Produced only by `MCPServer.resolve()`.
public struct ResolvedServer: Sendable, Hashable {
    public var name: String
    public var namespace: String
    public var uid: String?
    public var teamID: String?
    public var description: String?
    /// The full image reference, tag or digest included.
    public var image: String
    public var imagePullSecrets: [String]
    public var replicas: Int
    public var port: Int
    public var servicePort: Int
    public var resources: ComputeResources?
    public var env: [EnvVarSpec]
    public var secretEnv: [SecretEnv]
    /// The path the proxy serves the MCP endpoint on.
    public var requestPath: String
    /// Set when `spec.ingressHost` is: the Ingress to render.
    public var ingress: IngressSettings?
    /// The canonical resource URI, when one can be derived.
    public var resource: ResourceURI?
    public var auth: ResolvedAuth
    public var policy: ResolvedPolicy
    public var session: SessionSettings
    public var gateway: ResolvedGateway
    public var rollout: ResolvedRollout
    public var tools: [ResolvedTool]
    public var upstreamAuth: ResolvedUpstreamAuth
    /// Set when the server must fail closed: every request is refused with this reason.
    public var unusableReason: String?
    /// As declared, for all proxy replicas together; nil: none.
    public var rateLimits: ResolvedRateLimits? = nil

}

/// A Secret-backed environment variable of the MCP server container.
public struct SecretEnv: Sendable, Hashable {
    public var name: String
    public var secret: SecretRef
}

/// The proxy's own client credentials for RFC 7662 introspection.
public struct Introspection: Sendable, Hashable {
    public var clientID: String
    public var secret: SecretRef
}

/// A validated reference to a key of a Secret.
public struct SecretRef: Sendable, Hashable {
    public var name: String
    public var key: String

    public init(name: String, key: String) {
        self.name = name
        self.key = key
    }
}

public struct IngressSettings: Sendable, Hashable {
    /// Lowercased host.
    public var host: String
    public var className: String?
    public var annotations: [String: String]
}

/// Identity and token settings for the proxy.
public struct ResolvedAuth: Sendable, Hashable {
    public var mode: AuthMode
    public var humanIDHeader: String
    public var agentIDHeader: String
    public var teamIDHeader: String
    public var sessionIDHeader: String
    public var tokenHeader: String
    /// Origins allowed to call; always includes the canonical URI's origin.
    public var allowedOrigins: [String]
    /// Header mode: the only sources admitted to the proxy; empty admits every pod.
    public var trustedSources: [ResolvedTrustedSource]
    /// Set in oauth mode.
    public var oauth: ResolvedOAuth?
}

/// A validated `auth.trustedSources` item: at least one selector, never every pod of the cluster.
public struct ResolvedTrustedSource: Sendable, Hashable {
    public var namespaceSelector: LabelSelector?
    public var podSelector: LabelSelector?
}

public struct ResolvedOAuth: Sendable, Hashable {
    public var issuer: String
    /// nil only when the server fails closed.
    public var audience: String?
    public var requiredScopes: [String]
    public var scopesSupported: [String]
    public var allowedAlgorithms: [SigningAlgorithm]
    public var jwksURI: String?
    public var introspection: Introspection?
    public var clockSkewSeconds: Int
    public var teamClaims: [String]
    /// The claim naming the agent session; nil: only the session header does.
    public var sessionClaim: String? = nil
    public var requireAccessTokenType: Bool = false
    /// nil: the proxy's default.
    public var issuerMaxStalenessSeconds: Int?
    /// The PEM certificates trusted, alone, for the issuer's endpoints; nil: the system store.
    public var issuerCA: SecretRef? = nil
}

public struct ResolvedPolicy: Sendable, Hashable {
    public var mode: PolicyMode
    public var defaultDecision: PolicyDecision
    public var version: String
}

public struct SessionSettings: Sendable, Hashable {
    public var required: Bool
    public var headerName: String
    public var maxLifetimeSeconds: Int
    public var idleTimeoutSeconds: Int
    public var upstreamTokenHeader: String
    public var bindingKey: SecretRef? = nil
}

public struct ResolvedGateway: Sendable, Hashable {
    /// False only for `auth.mode: none` with `gateway.enabled: false`: no proxy at all.
    public var enabled: Bool
    public var image: String?
    public var port: Int
    /// The full upstream URL, path included, that the proxy forwards to.
    public var upstreamURL: String
    public var resources: ComputeResources?
}

public struct ResolvedRollout: Sendable, Hashable {
    public var strategy: RolloutStrategy
    public var maxUnavailable: String
    public var maxSurge: String
    public var canaryReplicas: Int?
}

public struct ResolvedTool: Sendable, Hashable {
    public var name: String
    public var requiredTrust: TrustLevel
    public var sideEffect: SideEffect
    public var requiredScopes: [String]
}

/// How the proxy authenticates to the upstream MCP server. Never the client's token.
public enum ResolvedUpstreamAuth: Sendable, Hashable {
    case none
    case secret(header: String, secret: SecretRef)
    case tokenExchange(header: String, audience: String, scopes: [String], clientID: String, clientSecret: SecretRef)
}
