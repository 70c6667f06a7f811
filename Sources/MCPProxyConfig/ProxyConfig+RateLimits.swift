extension ProxyConfig {
    /// Token-bucket limits, in the server's config (`rateLimits`) and in a grant's
    /// (`grants[].rateLimits`). `requests` and `burst` are this replica's share of what
    /// the spec declares; `declaredRequests` and `declaredBurst` say what that was.
    /// Absent (a config of an earlier renderer, or a spec without limits): no limits.
    public struct RateLimits: Codable, Sendable, Hashable {
        /// The proxy replicas the declared limits were divided among (server's config only).
        public var replicas: Int?
        public var perHuman: RateLimit?
        public var perAgent: RateLimit?
        public var tools: [ToolRateLimit]?

        public init(replicas: Int? = nil, perHuman: RateLimit? = nil, perAgent: RateLimit? = nil, tools: [ToolRateLimit]? = nil) {
            self.replicas = replicas
            self.perHuman = perHuman
            self.perAgent = perAgent
            self.tools = tools
        }

        /// Why these limits cannot be enforced, or nil.
        public var problem: String? {
            if let replicas, replicas < 1 { return "replicas must be at least 1" }
            for (name, limit) in [("perHuman", perHuman), ("perAgent", perAgent)] {
                if let problem = limit?.problem { return "\(name): \(problem)" }
            }
            var seen: Set<[UInt8]> = []
            for (index, tool) in (tools ?? []).enumerated() {
                if tool.name.isEmpty { return "tools[\(index)].name is empty" }
                if !seen.insert(Array(tool.name.utf8)).inserted { return "tools[\(index)].name \"\(tool.name)\" repeats" }
                if let problem = tool.limit.problem { return "tools[\(index)]: \(problem)" }
            }
            return nil
        }
    }

    /// `requests` per `intervalSeconds`, at most `burst` at once: a bucket of `burst`
    /// tokens refilled at `requests / intervalSeconds` per second.
    public struct RateLimit: Codable, Sendable, Hashable {
        public var requests: Int
        public var intervalSeconds: Int
        public var burst: Int
        /// The spec's `requests`, for all replicas together.
        public var declaredRequests: Int?
        /// The spec's `burst` (or its default, `requests`), for all replicas together.
        public var declaredBurst: Int?

        public init(requests: Int, intervalSeconds: Int, burst: Int, declaredRequests: Int? = nil, declaredBurst: Int? = nil) {
            self.requests = requests
            self.intervalSeconds = intervalSeconds
            self.burst = burst
            self.declaredRequests = declaredRequests
            self.declaredBurst = declaredBurst
        }

        /// The largest `requests` and `burst`, and the longest interval (a day), as the CRD allows.
        public static let maxCount = 1_000_000_000
        public static let maxIntervalSeconds = 86_400

        /// Why this limit cannot be enforced, or nil.
        public var problem: String? {
            for (name, value, maximum) in [("requests", requests, Self.maxCount), ("intervalSeconds", intervalSeconds, Self.maxIntervalSeconds), ("burst", burst, Self.maxCount)]
            where !(1...maximum).contains(value) {
                return "\(name) must be from 1 to \(maximum)"
            }
            return nil
        }
    }

    /// A limit on `tools/call` of the tool `name` (byte for byte), for each caller.
    public struct ToolRateLimit: Codable, Sendable, Hashable {
        public var name: String
        public var requests: Int
        public var intervalSeconds: Int
        public var burst: Int
        public var declaredRequests: Int?
        public var declaredBurst: Int?

        public init(name: String, _ limit: RateLimit) {
            self.name = name
            requests = limit.requests
            intervalSeconds = limit.intervalSeconds
            burst = limit.burst
            declaredRequests = limit.declaredRequests
            declaredBurst = limit.declaredBurst
        }

        public var limit: RateLimit {
            RateLimit(requests: requests, intervalSeconds: intervalSeconds, burst: burst, declaredRequests: declaredRequests, declaredBurst: declaredBurst)
        }
    }
}
