import MCPRuntimeAPI

/// The configuration of one `mcp-proxy`: everything it enforces for one MCP server.
/// Rendered by the operator into a ConfigMap as `config.json`; documented field by field
/// in docs/proxy-config.md. Versioned: a proxy refuses a `version` it does not know.
public struct ProxyConfig: Codable, Sendable, Hashable {
    /// The only format version this build reads and writes.
    public static let currentVersion = 1
    /// The key of the proxy ConfigMap that holds this document.
    public static let configMapKey = "config.json"

    public var version: Int
    /// `sha256:<hex>` of this document's canonical JSON without `revision`.
    public var revision: String?
    public var server: ServerIdentity
    /// When set, the proxy refuses every request with 503 and this reason (fail closed).
    public var unusable: String?
    public var resource: ResourceSettings
    public var auth: AuthSettings
    public var upstream: UpstreamSettings
    public var limits: Limits
    public var policy: PolicySettings
    public var session: SessionPolicy
    public var tools: [Tool]
    public var grants: [Grant]
    public var sessions: [AgentSession]
    /// Per-caller and per-tool limits (ProxyConfig+RateLimits.swift); absent: none.
    public var rateLimits: RateLimits?

    public init(
        server: ServerIdentity, unusable: String?, resource: ResourceSettings, auth: AuthSettings,
        upstream: UpstreamSettings, limits: Limits, policy: PolicySettings, session: SessionPolicy,
        tools: [Tool], grants: [Grant], sessions: [AgentSession]
    ) {
        self.version = Self.currentVersion
        self.server = server
        self.unusable = unusable
        self.resource = resource
        self.auth = auth
        self.upstream = upstream
        self.limits = limits
        self.policy = policy
        self.session = session
        self.tools = tools
        self.grants = grants
        self.sessions = sessions
    }

    public struct ServerIdentity: Codable, Sendable, Hashable {
        public var name: String
        public var namespace: String
        public var teamID: String?

        public init(name: String, namespace: String, teamID: String?) {
            self.name = name
            self.namespace = namespace
            self.teamID = teamID
        }
    }

    /// Where the MCP endpoint and its Protected Resource Metadata live.
    public struct ResourceSettings: Codable, Sendable, Hashable {
        /// The canonical resource URI; absent when none can be derived.
        public var uri: String?
        /// The request path of the MCP endpoint.
        public var path: String
        /// The RFC 9728 path-inserted well-known path (oauth mode).
        public var metadataPath: String?
        /// The absolute PRM URL for `resource_metadata` in challenges (oauth mode).
        public var metadataURL: String?
        /// `resource_name` in PRM.
        public var name: String

        public init(uri: String?, path: String, metadataPath: String?, metadataURL: String?, name: String) {
            self.uri = uri
            self.path = path
            self.metadataPath = metadataPath
            self.metadataURL = metadataURL
            self.name = name
        }
    }

    public struct AuthSettings: Codable, Sendable, Hashable {
        public var mode: AuthMode
        /// The inbound header carrying the client's credential; always removed upstream.
        public var tokenHeader: String
        public var identityHeaders: IdentityHeaders
        /// Origins allowed in an `Origin` header; any other present Origin is 403.
        public var allowedOrigins: [String]
        public var oauth: OAuthSettings?

        public init(mode: AuthMode, tokenHeader: String, identityHeaders: IdentityHeaders, allowedOrigins: [String], oauth: OAuthSettings?) {
            self.mode = mode
            self.tokenHeader = tokenHeader
            self.identityHeaders = identityHeaders
            self.allowedOrigins = allowedOrigins
            self.oauth = oauth
        }
    }

    /// Headers that carry the resolved identity upstream (and, in header mode, inbound).
    public struct IdentityHeaders: Codable, Sendable, Hashable {
        public var human: String
        public var agent: String
        public var team: String
        public var session: String

        public init(human: String, agent: String, team: String, session: String) {
            self.human = human
            self.agent = agent
            self.team = team
            self.session = session
        }
    }

    public struct OAuthSettings: Codable, Sendable, Hashable {
        /// Compared with `iss` character for character.
        public var issuer: String
        /// Must be contained in `aud`.
        public var audience: String
        /// When absent, discovered from the issuer's metadata.
        public var jwksURI: String?
        public var requiredScopes: [String]
        public var scopesSupported: [String]
        public var allowedAlgorithms: [SigningAlgorithm]
        public var clockSkewSeconds: Int
        /// Claims tried in order for the caller's team.
        public var teamClaims: [String]
        /// The claim naming the caller's agent session, when the token names it; absent:
        /// only the session header does.
        public var sessionClaim: String?
        public var introspection: Introspection?
        /// When true, a JWT's `typ` must be `at+jwt` or `application/at+jwt` (RFC 9068 §4).
        /// Absent: false (many identity providers send `JWT`).
        public var requireAccessTokenType: Bool?
        /// How the issuer's keys and metadata are cached; absent: the defaults.
        public var issuerCache: IssuerCache?
        /// A mounted PEM file of one or more certificates: the only roots trusted for the
        /// issuer's endpoints (metadata, JWKS, introspection, token exchange), instead of the
        /// system store. Read when the proxy starts; a file that cannot be read or holds no
        /// certificate stops the proxy at start. Absent: the system store.
        public var issuerCAFile: String?

        public init(issuer: String, audience: String, jwksURI: String?, requiredScopes: [String], scopesSupported: [String], allowedAlgorithms: [SigningAlgorithm], clockSkewSeconds: Int, teamClaims: [String], introspection: Introspection?, requireAccessTokenType: Bool? = nil, issuerCache: IssuerCache? = nil) {
            self.issuer = issuer
            self.audience = audience
            self.jwksURI = jwksURI
            self.requiredScopes = requiredScopes
            self.scopesSupported = scopesSupported
            self.allowedAlgorithms = allowedAlgorithms
            self.clockSkewSeconds = clockSkewSeconds
            self.teamClaims = teamClaims
            self.introspection = introspection
            self.requireAccessTokenType = requireAccessTokenType
            self.issuerCache = issuerCache
        }

        /// The cache settings in force: `issuerCache` with every absent member defaulted.
        public var cache: IssuerCache { issuerCache ?? IssuerCache() }
    }

    /// How long the issuer's JWKS and metadata are used and when they are fetched again.
    /// Stale-while-revalidate: a request never waits for a fetch while keys are usable;
    /// fetches run in the background, single-flight, at most one per `minFetchIntervalSeconds`.
    /// Each member may be absent in the JSON: its default then applies.
    public struct IssuerCache: Codable, Sendable, Hashable {
        public static let defaultRefreshSeconds = 300
        public static let defaultMaxStalenessSeconds = 86_400
        public static let defaultMinFetchIntervalSeconds = 10
        public static let defaultFetchWaitMilliseconds = 2_000

        /// Keys and metadata older than this are fetched again, in the background.
        public var refreshSeconds: Int
        /// Keys and metadata older than this are no longer used (the issuer has been
        /// unreachable that long): requests are 503 until a fetch succeeds (fail closed).
        public var maxStalenessSeconds: Int
        /// At most one fetch per this interval, whatever asks (refresh, unknown `kid`, readiness).
        public var minFetchIntervalSeconds: Int
        /// How long a request waits for a fetch it needs (an unknown `kid`, or no usable keys).
        public var fetchWaitMilliseconds: Int

        public init(
            refreshSeconds: Int = defaultRefreshSeconds, maxStalenessSeconds: Int = defaultMaxStalenessSeconds,
            minFetchIntervalSeconds: Int = defaultMinFetchIntervalSeconds, fetchWaitMilliseconds: Int = defaultFetchWaitMilliseconds
        ) {
            self.refreshSeconds = refreshSeconds
            self.maxStalenessSeconds = maxStalenessSeconds
            self.minFetchIntervalSeconds = minFetchIntervalSeconds
            self.fetchWaitMilliseconds = fetchWaitMilliseconds
        }

        private enum CodingKeys: String, CodingKey {
            case refreshSeconds, maxStalenessSeconds, minFetchIntervalSeconds, fetchWaitMilliseconds
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            refreshSeconds = try container.decodeIfPresent(Int.self, forKey: .refreshSeconds) ?? Self.defaultRefreshSeconds
            maxStalenessSeconds = try container.decodeIfPresent(Int.self, forKey: .maxStalenessSeconds) ?? Self.defaultMaxStalenessSeconds
            minFetchIntervalSeconds = try container.decodeIfPresent(Int.self, forKey: .minFetchIntervalSeconds) ?? Self.defaultMinFetchIntervalSeconds
            fetchWaitMilliseconds = try container.decodeIfPresent(Int.self, forKey: .fetchWaitMilliseconds) ?? Self.defaultFetchWaitMilliseconds
        }

        /// Why these settings cannot be used, or nil.
        public var problem: String? {
            if refreshSeconds < 1 { return "refreshSeconds must be at least 1" }
            if maxStalenessSeconds < refreshSeconds { return "maxStalenessSeconds must be at least refreshSeconds" }
            if minFetchIntervalSeconds < 1 { return "minFetchIntervalSeconds must be at least 1" }
            if !(0...30_000).contains(fetchWaitMilliseconds) { return "fetchWaitMilliseconds must be between 0 and 30000" }
            return nil
        }
    }

    /// RFC 7662 introspection with the proxy's own client credentials.
    public struct Introspection: Codable, Sendable, Hashable {
        public var clientID: String
        /// A mounted file holding the client secret.
        public var clientSecretFile: String

        public init(clientID: String, clientSecretFile: String) {
            self.clientID = clientID
            self.clientSecretFile = clientSecretFile
        }
    }

    public struct UpstreamSettings: Codable, Sendable, Hashable {
        /// Requests for the resource path go here; the path is replaced by this URL's.
        public var url: String
        public var auth: UpstreamAuth

        public init(url: String, auth: UpstreamAuth) {
            self.url = url
            self.auth = auth
        }
    }

    /// How the proxy authenticates to the MCP server; never with the client's token.
    public struct UpstreamAuth: Codable, Sendable, Hashable {
        public var mode: UpstreamAuthMode
        public var header: String?
        /// mode secret: a mounted file whose content is sent as `Bearer <content>`
        /// in `Authorization`, or as is in any other header.
        public var secretFile: String?
        public var tokenExchange: TokenExchange?

        public init(mode: UpstreamAuthMode, header: String? = nil, secretFile: String? = nil, tokenExchange: TokenExchange? = nil) {
            self.mode = mode
            self.header = header
            self.secretFile = secretFile
            self.tokenExchange = tokenExchange
        }
    }

    /// RFC 8693 token exchange at the issuer's token endpoint.
    public struct TokenExchange: Codable, Sendable, Hashable {
        public var audience: String
        public var scopes: [String]
        public var clientID: String
        public var clientSecretFile: String

        public init(audience: String, scopes: [String], clientID: String, clientSecretFile: String) {
            self.audience = audience
            self.scopes = scopes
            self.clientID = clientID
            self.clientSecretFile = clientSecretFile
        }
    }

    /// What one client connection may take of the proxy. Each field may be absent (a config
    /// of an earlier renderer): it then has its default.
    public struct Limits: Codable, Sendable, Hashable {
        /// Larger request bodies are refused with 413.
        public var maxBodyBytes: Int
        /// A request head (request line and header fields) not complete this long after the
        /// connection opened or its first byte arrived closes the connection.
        public var requestHeadTimeoutSeconds: Int
        /// A request body not complete this long after its head closes the connection.
        public var bodyTimeoutSeconds: Int
        /// A kept-alive connection with no new request for this long is closed.
        public var keepAliveIdleSeconds: Int
        /// The request head's header fields, names and values together, at most (431 above; read at start).
        public var maxHeaderBytes: Int
        /// Header fields per request, at most (read at start).
        public var maxHeaderCount: Int

        public static let defaults = Limits(maxBodyBytes: 1 << 20)

        public init(maxBodyBytes: Int, requestHeadTimeoutSeconds: Int = 30, bodyTimeoutSeconds: Int = 60, keepAliveIdleSeconds: Int = 60,
                    maxHeaderBytes: Int = 32 * 1024, maxHeaderCount: Int = 100) {
            self.maxBodyBytes = maxBodyBytes
            self.requestHeadTimeoutSeconds = requestHeadTimeoutSeconds
            self.bodyTimeoutSeconds = bodyTimeoutSeconds
            self.keepAliveIdleSeconds = keepAliveIdleSeconds
            self.maxHeaderBytes = maxHeaderBytes
            self.maxHeaderCount = maxHeaderCount
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            let defaults = Self.defaults
            maxBodyBytes = try container.decode(Int.self, forKey: .maxBodyBytes)
            requestHeadTimeoutSeconds = try container.decodeIfPresent(Int.self, forKey: .requestHeadTimeoutSeconds) ?? defaults.requestHeadTimeoutSeconds
            bodyTimeoutSeconds = try container.decodeIfPresent(Int.self, forKey: .bodyTimeoutSeconds) ?? defaults.bodyTimeoutSeconds
            keepAliveIdleSeconds = try container.decodeIfPresent(Int.self, forKey: .keepAliveIdleSeconds) ?? defaults.keepAliveIdleSeconds
            maxHeaderBytes = try container.decodeIfPresent(Int.self, forKey: .maxHeaderBytes) ?? defaults.maxHeaderBytes
            maxHeaderCount = try container.decodeIfPresent(Int.self, forKey: .maxHeaderCount) ?? defaults.maxHeaderCount
        }
    }

    public struct PolicySettings: Codable, Sendable, Hashable {
        public var mode: PolicyMode
        public var defaultDecision: PolicyDecision
        public var version: String

        public init(mode: PolicyMode, defaultDecision: PolicyDecision, version: String) {
            self.mode = mode
            self.defaultDecision = defaultDecision
            self.version = version
        }
    }

    public struct SessionPolicy: Codable, Sendable, Hashable {
        public var required: Bool
        public var headerName: String
        public var maxLifetimeSeconds: Int
        public var idleTimeoutSeconds: Int
        public var upstreamTokenHeader: String
        /// A mounted file holding the key that binds `Mcp-Session-Id` to its caller, the
        /// same for every replica. Absent: a key this process draws at start (one replica
        /// only; sessions do not survive a restart).
        public var bindingKeyFile: String?

        public init(required: Bool, headerName: String, maxLifetimeSeconds: Int, idleTimeoutSeconds: Int, upstreamTokenHeader: String) {
            self.required = required
            self.headerName = headerName
            self.maxLifetimeSeconds = maxLifetimeSeconds
            self.idleTimeoutSeconds = idleTimeoutSeconds
            self.upstreamTokenHeader = upstreamTokenHeader
        }
    }

    public struct Tool: Codable, Sendable, Hashable {
        public var name: String
        public var requiredTrust: TrustLevel
        public var sideEffect: SideEffect
        public var requiredScopes: [String]

        public init(name: String, requiredTrust: TrustLevel, sideEffect: SideEffect, requiredScopes: [String]) {
            self.name = name
            self.requiredTrust = requiredTrust
            self.sideEffect = sideEffect
            self.requiredScopes = requiredScopes
        }
    }

    /// Who a grant or session applies to; a team left empty has become the server's team.
    public struct Subject: Codable, Sendable, Hashable {
        public var humanID: String?
        public var agentID: String?
        public var teamID: String?

        public init(humanID: String?, agentID: String?, teamID: String?) {
            self.humanID = humanID
            self.agentID = agentID
            self.teamID = teamID
        }
    }

    public struct AgentSession: Codable, Sendable, Hashable {
        public var name: String
        public var namespace: String
        public var subject: Subject
        public var consentedTrust: TrustLevel?
        /// RFC 3339; checked at request time.
        public var expiresAt: String?
        public var revoked: Bool
        public var policyVersion: String?
        /// A mounted file with the token the proxy sends upstream for this session.
        public var upstreamTokenFile: String?
        /// RFC 3339: when the session object was created, the start of its
        /// `session.maxLifetimeSeconds`. Absent (rendered from files): the first use this
        /// proxy saw.
        public var createdAt: String?

        public init(name: String, namespace: String, subject: Subject, consentedTrust: TrustLevel?, expiresAt: String?, revoked: Bool, policyVersion: String?, upstreamTokenFile: String?, createdAt: String? = nil) {
            self.createdAt = createdAt
            self.name = name
            self.namespace = namespace
            self.subject = subject
            self.consentedTrust = consentedTrust
            self.expiresAt = expiresAt
            self.revoked = revoked
            self.policyVersion = policyVersion
            self.upstreamTokenFile = upstreamTokenFile
        }
    }
}
