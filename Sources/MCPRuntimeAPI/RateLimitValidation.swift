import KubeCore

extension IssueList {
    /// Checks the `rateLimits` of a server or a grant: `requests` and `intervalSeconds`
    /// required, each value from 1 to its maximum, `burst` defaulting to `requests`, tool
    /// names required and unique. Returns the valid parts; nil when there is no section.
    public mutating func rateLimits(_ config: RateLimitsConfig?, at path: FieldPath) -> ResolvedRateLimits? {
        guard let config else { return nil }
        var resolved = ResolvedRateLimits()
        resolved.perHuman = rateLimit(config.perHuman, at: path.child("perHuman"))
        resolved.perAgent = rateLimit(config.perAgent, at: path.child("perAgent"))
        let tools = config.tools ?? []
        for (index, tool) in tools.enumerated() {
            let item = path.child("tools").index(index)
            let limit = rateLimit(tool.limit, at: item)
            guard let name = tool.name, !name.isEmpty else {
                required(item.child("name"), "a tool rate limit needs the tool's MCP name")
                continue
            }
            if let limit { resolved.tools.append(ResolvedToolRateLimit(name: name, limit: limit)) }
        }
        unique(tools.map(\.name), at: path.child("tools"), field: "name", what: "tool rate limit")
        return resolved
    }

    private mutating func rateLimit(_ config: RateLimitConfig?, at path: FieldPath) -> ResolvedRateLimit? {
        guard let config else { return nil }
        let maxRequests = ResolvedRateLimit.maxRequests
        let requests = count(config.requests, at: path.child("requests"), upTo: maxRequests, what: "requests per interval")
        let interval = count(config.intervalSeconds, at: path.child("intervalSeconds"), upTo: ResolvedRateLimit.maxIntervalSeconds, what: "the interval in seconds")
        // The burst defaults to requests; given, it is checked on its own.
        let burst = config.burst == nil ? requests : count(config.burst, at: path.child("burst"), upTo: maxRequests, what: "the burst")
        guard let requests, let interval, let burst else { return nil }
        return ResolvedRateLimit(requests: requests, intervalSeconds: interval, burst: burst)
    }

    /// A required whole number from 1 to `upTo`; nil (with an issue) otherwise.
    private mutating func count(_ value: Int?, at path: FieldPath, upTo maximum: Int, what: String) -> Int? {
        guard let value else {
            required(path, "\(what) is required")
            return nil
        }
        guard (1...maximum).contains(value) else {
            invalid(path, "\(value) is not between 1 and \(maximum)", hint: "\(what) is a whole number of at least 1")
            return nil
        }
        return value
    }
}
