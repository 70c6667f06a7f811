import Foundation
import KubeCore
import MCPAuth
import MCPPolicy
import MCPProxyConfig
import MCPTokenVerification

/// Where the issuer's verification keys come from (the JWKS, fetched and cached by the
/// server layer). `refresh` asks for a fresh fetch, which implementations rate-limit and
/// run single-flight; it is used once when a token names an unknown `kid`. Implementations
/// answer from usable keys without waiting for a fetch, and wait only a bounded time when
/// they must (no usable keys, or `refresh`); with no usable keys they throw (503).
public protocol KeySource: Sendable {
    func keys(refresh: Bool) async throws -> VerificationKeys
    /// Whether keys can be served now (for `/readyz`); asks for a fetch, without
    /// waiting for it, when none are usable or they are due for a refresh.
    func availability() async -> KeyAvailability
}

extension KeySource {
    public func availability() async -> KeyAvailability { KeyAvailability(usable: true, detail: "keys from a fixed source") }
}

/// Whether a key source can verify tokens now, and why not (safe to show on `/readyz`).
public struct KeyAvailability: Sendable, Hashable {
    public var usable: Bool
    public var detail: String

    public init(usable: Bool, detail: String) {
        self.usable = usable
        self.detail = detail
    }
}

/// The proxy's own client credentials at the authorization server (introspection, token
/// exchange); the secret is read from its mounted file for each use, so rotation applies.
public struct ClientCredentials: Sendable, Hashable {
    public var clientID: String
    public var secret: String

    public init(clientID: String, secret: String) {
        self.clientID = clientID
        self.secret = secret
    }
}

/// RFC 7662 introspection at the issuer. Returns the response's members; throws when the
/// endpoint cannot be found or asked, or answers with anything but a JSON object and 200
/// (the pipeline then answers 503: an unreachable authority is never a pass).
/// Implementations may cache active answers by token hash, never past `exp`.
public protocol TokenIntrospector: Sendable {
    func introspect(_ token: String, credentials: ClientCredentials) async throws -> [String: JSONValue]
}

/// RFC 8693 token exchange at the issuer: the caller's access token for one the upstream
/// accepts. Implementations cache per `subject` and audience until the issued token expires.
public protocol TokenExchanger: Sendable {
    func exchange(_ request: TokenExchangeRequest, credentials: ClientCredentials) async throws(TokenExchangeFailure) -> String
}

public struct TokenExchangeRequest: Sendable, Hashable {
    /// The caller's token, sent as `subject_token`.
    public var subjectToken: String
    /// When the caller's token expires (its `exp`), if it says: an exchanged token is
    /// never used beyond it.
    public var subjectExpiry: Date?
    public var audience: String
    public var scopes: [String]

    public init(subjectToken: String, subjectExpiry: Date?, audience: String, scopes: [String]) {
        self.subjectToken = subjectToken
        self.subjectExpiry = subjectExpiry
        self.audience = audience
        self.scopes = scopes
    }
}

public enum TokenExchangeFailure: Error, Sendable, Hashable {
    /// The authorization server answered and refused (RFC 6749 §5.2 error code).
    case refused(String)
    /// The authorization server could not be asked, or answered nonsense.
    case unavailable(String)
}

/// Reads mounted Secret files (upstream credentials, session tokens).
public protocol SecretFiles: Sendable {
    func contents(of path: String) -> String?
}

/// Everything the pipeline needs for one config revision, prepared once per load.
public struct ProxyRuntime: Sendable {
    public let config: ProxyConfig
    let policy: CompiledPolicy
    let scopes: ScopePolicy?
    let origins: OriginPolicy
    let metadataDocument: Data?
    let verifier: TokenVerifier?
    public let keySource: (any KeySource)?
    public let introspector: (any TokenIntrospector)?
    public let exchanger: (any TokenExchanger)?
    let secrets: any SecretFiles
    let sanitizer: HeaderSanitizer
    /// When this replica saw each agent session used; handed from one config to the next.
    public let activity: SessionActivity
    /// Which rate limits apply to a request, from this config.
    let rateLimits: RateLimitPolicy
    /// This replica's token buckets; handed from one config to the next.
    public let rateLimiter: RateLimiter

    public init(
        config: ProxyConfig, keySource: (any KeySource)?, introspector: (any TokenIntrospector)? = nil,
        exchanger: (any TokenExchanger)? = nil, secrets: any SecretFiles, activity: SessionActivity = SessionActivity(),
        rateLimiter: RateLimiter = RateLimiter()
    ) {
        self.config = config
        policy = CompiledPolicy(config)
        rateLimits = RateLimitPolicy(policy, server: config.rateLimits)
        self.rateLimiter = rateLimiter
        activity.retain(only: policy.sessionKeys)
        self.activity = activity
        origins = OriginPolicy(allowedOrigins: config.auth.allowedOrigins)
        metadataDocument = ProtectedResourceMetadata.document(for: config)
        if let oauth = config.auth.oauth {
            scopes = ScopePolicy(oauth: oauth, tools: config.tools)
            verifier = TokenVerifier(
                issuer: oauth.issuer, audience: oauth.audience, algorithms: oauth.allowedAlgorithms, clockSkewSeconds: oauth.clockSkewSeconds,
                requireAccessTokenType: oauth.requireAccessTokenType ?? false
            )
        } else {
            scopes = nil
            verifier = nil
        }
        self.keySource = keySource
        self.introspector = introspector
        self.exchanger = exchanger
        self.secrets = secrets
        sanitizer = HeaderSanitizer(config: config)
    }
}
