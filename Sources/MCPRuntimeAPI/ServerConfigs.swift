import KubeCore

/// `spec.auth`: how the proxy authenticates callers.
public struct AuthConfig: Codable, Sendable, Hashable {
    /// `none`, `header` (default when `auth` is present) or `oauth`.
    public var mode: String?
    public var humanIDHeader: String?
    public var agentIDHeader: String?
    public var teamIDHeader: String?
    public var sessionIDHeader: String?
    public var tokenHeader: String?
    public var issuerURL: String?
    /// A Secret key holding PEM certificates (one or more): the only roots the proxy trusts
    /// for the issuer's endpoints (metadata, JWKS, introspection, token exchange), instead
    /// of the system store. For an authorization server behind a private CA. OAuth mode
    /// only; read when the proxy starts.
    public var issuerCASecretRef: SecretKeyRef?
    /// Defaults to the canonical resource URI.
    public var audience: String?
    public var requiredScopes: [String]?
    /// Advertised in Protected Resource Metadata; defaults to `requiredScopes`.
    public var scopesSupported: [String]?
    public var allowedAlgorithms: [String]?
    public var jwksURI: String?
    public var introspection: IntrospectionConfig?
    public var allowedOrigins: [String]?
    public var clockSkewSeconds: Int?
    /// The claim naming the caller's team; default: `team_id`, then `tenant_id`, then `tid`.
    public var teamClaim: String?
    /// The claim naming the caller's agent session; default none: the session header names it.
    public var sessionClaim: String?
    /// Require `typ` `at+jwt` or `application/at+jwt` (RFC 9068 §4) on JWTs; default false.
    public var requireAccessTokenType: Bool?
    /// How long the proxy keeps using the issuer's last keys and metadata while the issuer
    /// is unreachable; default 86400 (24 h).
    public var issuerMaxStalenessSeconds: Int?
    /// Header mode: the pods that set the identity headers (an SSO gateway, an ingress
    /// controller). The proxy's pods admit only them; without any, every pod is trusted.
    public var trustedSources: [TrustedSource]?

    public init(mode: String? = nil, issuerURL: String? = nil, audience: String? = nil, requiredScopes: [String]? = nil) {
        self.mode = mode
        self.issuerURL = issuerURL
        self.audience = audience
        self.requiredScopes = requiredScopes
    }
}

/// Pods allowed to reach the proxy in header mode, as a NetworkPolicy peer: those
/// `podSelector` selects in the namespaces `namespaceSelector` selects; without
/// `namespaceSelector`, in the server's namespace; without `podSelector`, every pod of
/// the selected namespaces.
public struct TrustedSource: Codable, Sendable, Hashable {
    public var namespaceSelector: LabelSelector?
    public var podSelector: LabelSelector?

    public init(namespaceSelector: LabelSelector? = nil, podSelector: LabelSelector? = nil) {
        self.namespaceSelector = namespaceSelector
        self.podSelector = podSelector
    }
}

/// RFC 7662 introspection of opaque tokens with the proxy's own client credentials.
public struct IntrospectionConfig: Codable, Sendable, Hashable {
    public var clientID: String?
    public var clientSecretRef: SecretKeyRef?

    public init(clientID: String? = nil, clientSecretRef: SecretKeyRef? = nil) {
        self.clientID = clientID
        self.clientSecretRef = clientSecretRef
    }
}

/// `spec.policy`: governance of `tools/call`.
public struct PolicyConfig: Codable, Sendable, Hashable {
    /// `allow-list` (default) or `observe`.
    public var mode: String?
    /// `deny` (default) or `allow`.
    public var defaultDecision: String?
    public var enforceOn: String?
    public var policyVersion: String?

    public init(mode: String? = nil, defaultDecision: String? = nil, policyVersion: String? = nil) {
        self.mode = mode
        self.defaultDecision = defaultDecision
        self.policyVersion = policyVersion
    }
}

/// `spec.session`: agent sessions.
public struct SessionConfig: Codable, Sendable, Hashable {
    public var required: Bool?
    public var store: String?
    public var headerName: String?
    /// A Go duration such as `24h`.
    public var maxLifetime: String?
    public var idleTimeout: String?
    public var upstreamTokenHeader: String?
    /// The key (32 bytes or more) that binds `Mcp-Session-Id` to its caller on every proxy
    /// replica; without it each proxy process draws its own.
    public var bindingKeySecretRef: SecretKeyRef?

    public init(required: Bool? = nil) {
        self.required = required
    }
}

/// `spec.gateway`: the `mcp-proxy` in front of the server.
public struct GatewayConfig: Codable, Sendable, Hashable {
    public var enabled: Bool?
    public var image: String?
    public var port: Int?
    public var upstreamURL: String?
    public var stripPrefix: String?
    public var resources: ComputeResources?

    public init(enabled: Bool? = nil) {
        self.enabled = enabled
    }
}

/// `spec.analytics`: accepted for compatibility with the original; not applied.
public struct AnalyticsConfig: Codable, Sendable, Hashable {
    public var disabled: Bool?
    public var ingestURL: String?
    public var source: String?
    public var eventType: String?
    public var apiKeySecretRef: SecretKeyRef?

    public init() {}
}

/// `spec.rollout`: how the MCP server Deployment rolls out.
public struct RolloutConfig: Codable, Sendable, Hashable {
    public var strategy: String?
    public var maxUnavailable: String?
    public var maxSurge: String?
    public var canaryReplicas: Int?

    public init(strategy: String? = nil) {
        self.strategy = strategy
    }
}

/// `spec.upstreamAuth`: credentials the proxy presents to the MCP server.
public struct UpstreamAuthConfig: Codable, Sendable, Hashable {
    /// `none` (default), `secret` or `tokenExchange`.
    public var mode: String?
    /// The header carrying the credential; default `Authorization` (as `Bearer <value>`).
    public var header: String?
    public var secretRef: SecretKeyRef?
    public var tokenExchange: TokenExchangeConfig?

    public init(mode: String? = nil) {
        self.mode = mode
    }
}

/// RFC 8693 token exchange at the issuer's token endpoint.
public struct TokenExchangeConfig: Codable, Sendable, Hashable {
    public var audience: String?
    public var scopes: [String]?
    public var clientID: String?
    public var clientSecretRef: SecretKeyRef?

    public init(audience: String? = nil, clientID: String? = nil, clientSecretRef: SecretKeyRef? = nil) {
        self.audience = audience
        self.clientID = clientID
        self.clientSecretRef = clientSecretRef
    }
}

/// `spec.bindings`: the server owner's consent to grants and sessions of other
/// namespaces, modelled on Gateway API's `allowedRoutes.namespaces`. Its own namespace's
/// always bind; others only as `from` says.
public struct BindingsConfig: Codable, Sendable, Hashable {
    /// `Same` (default): its own namespace only; `All`: every namespace; `Selector`: the
    /// namespaces in `namespaces` and those `namespaceSelector` matches.
    public var from: String?
    public var namespaces: [String]?
    public var namespaceSelector: LabelSelector?

    public init(from: String? = nil, namespaces: [String]? = nil, namespaceSelector: LabelSelector? = nil) {
        self.from = from
        self.namespaces = namespaces
        self.namespaceSelector = namespaceSelector
    }
}
