/// `spec.rateLimits` of an `MCPServer` or an `MCPAccessGrant`: how many requests a caller
/// may make, as token buckets (docs/governance.md, "Rate limits"). On a server the limits
/// apply to every caller; on a grant they replace the server's for the grant's subjects.
public struct RateLimitsConfig: Codable, Sendable, Hashable {
    /// Each human ID: every request to the MCP endpoint that names one.
    public var perHuman: RateLimitConfig?
    /// Each agent ID: every request to the MCP endpoint that names one.
    public var perAgent: RateLimitConfig?
    /// Each caller, for `tools/call` of the named tool.
    public var tools: [ToolRateLimitConfig]?

    public init(perHuman: RateLimitConfig? = nil, perAgent: RateLimitConfig? = nil, tools: [ToolRateLimitConfig]? = nil) {
        self.perHuman = perHuman
        self.perAgent = perAgent
        self.tools = tools
    }
}

/// `requests` per `intervalSeconds`, at most `burst` at once (default: `requests`).
public struct RateLimitConfig: Codable, Sendable, Hashable {
    public var requests: Int?
    public var intervalSeconds: Int?
    public var burst: Int?

    public init(requests: Int? = nil, intervalSeconds: Int? = nil, burst: Int? = nil) {
        self.requests = requests
        self.intervalSeconds = intervalSeconds
        self.burst = burst
    }
}

/// A limit on `tools/call` of one tool, for each caller.
public struct ToolRateLimitConfig: Codable, Sendable, Hashable {
    /// The tool's MCP name.
    public var name: String?
    public var requests: Int?
    public var intervalSeconds: Int?
    public var burst: Int?

    public init(name: String? = nil, requests: Int? = nil, intervalSeconds: Int? = nil, burst: Int? = nil) {
        self.name = name
        self.requests = requests
        self.intervalSeconds = intervalSeconds
        self.burst = burst
    }

    var limit: RateLimitConfig { RateLimitConfig(requests: requests, intervalSeconds: intervalSeconds, burst: burst) }
}

/// Validated rate limits, as declared (for all proxy replicas together).
public struct ResolvedRateLimits: Sendable, Hashable {
    public var perHuman: ResolvedRateLimit?
    public var perAgent: ResolvedRateLimit?
    /// Unique names, in the spec's order.
    public var tools: [ResolvedToolRateLimit]

    public init(perHuman: ResolvedRateLimit? = nil, perAgent: ResolvedRateLimit? = nil, tools: [ResolvedToolRateLimit] = []) {
        self.perHuman = perHuman
        self.perAgent = perAgent
        self.tools = tools
    }
}

/// `requests` per `intervalSeconds` with bucket capacity `burst`, all at least 1.
public struct ResolvedRateLimit: Sendable, Hashable {
    public var requests: Int
    public var intervalSeconds: Int
    public var burst: Int

    public init(requests: Int, intervalSeconds: Int, burst: Int) {
        self.requests = requests
        self.intervalSeconds = intervalSeconds
        self.burst = burst
    }

    /// The largest `requests` and `burst` accepted (the CRD's `maximum`).
    public static let maxRequests = 1_000_000_000
    /// The longest interval accepted: one day.
    public static let maxIntervalSeconds = 86_400
}

public struct ResolvedToolRateLimit: Sendable, Hashable {
    public var name: String
    public var limit: ResolvedRateLimit

    public init(name: String, limit: ResolvedRateLimit) {
        self.name = name
        self.limit = limit
    }
}
