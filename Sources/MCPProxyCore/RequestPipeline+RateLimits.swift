import Foundation
import KubeCore
import MCPPolicy

extension ProxyRuntime {
    /// The rate limits of a request that passed every other check and would be forwarded:
    /// one token from each limit that applies to its caller (and tool), or none. Nil when it
    /// goes on. A limited request is answered 429 with `Retry-After` (whole seconds, rounded
    /// up) and a JSON-RPC error with its id, and never forwarded; in observe mode it goes on,
    /// and the audit says which limit it exceeded (docs/governance.md, "Rate limits").
    func rateLimited(caller: CallerIdentity, tool: String?, id: JSONValue?, now: Date, audit: inout AuditRecord) -> PipelineResult? {
        let limits = rateLimits.limits(for: caller, tool: tool, now: now)
        guard !limits.isEmpty else { return nil }
        let demands = limits.map { RateLimiter.Demand(key: $0.key, rate: BucketRate($0.limit)) }
        guard case .limited(let index, let wait) = rateLimiter.acquire(demands, now: now) else { return nil }
        let applied = limits[index]
        audit.rateLimit = applied.name
        audit.rateLimitGrant = applied.grant
        if config.policy.mode == .observe {
            // The first refusal enforcement would have made is the one recorded.
            if audit.decision != "observe" {
                audit.decision = "observe"
                audit.reason = applied.reason
            }
            return nil
        }
        let seconds = Self.retryAfter(wait)
        let limit = applied.limit
        var response = Responses.jsonRPCError(
            429, id: id, code: -32001, message: "rate limited: \(applied.reason)",
            data: [
                "reason": .string(applied.reason), "limit": .string(applied.name),
                "requests": .int(Int64(limit.requests)), "intervalSeconds": .int(Int64(limit.intervalSeconds)), "burst": .int(Int64(limit.burst)),
                "retryAfterSeconds": .int(Int64(seconds)), "policyVersion": .string(config.policy.version),
            ]
        )
        response.headers.append((name: "Retry-After", value: String(seconds)))
        audit.reason = applied.reason
        audit.status = response.status
        return PipelineResult(outcome: .respond(response), audit: audit)
    }

    /// Whole seconds, rounded up, from 1 to a day (the longest a token takes to refill:
    /// one request per the longest interval).
    static func retryAfter(_ wait: TimeInterval) -> Int {
        Int(min(max(wait, 1), 86_400).rounded(.up))
    }
}
