import Foundation
import MCPProxyConfig

/// How a token bucket fills: at most `capacity` tokens, `perSecond` more each second.
public struct BucketRate: Sendable, Hashable {
    public var capacity: Double
    public var perSecond: Double

    public init(capacity: Double, perSecond: Double) {
        self.capacity = capacity
        self.perSecond = perSecond
    }

    /// `burst` tokens, refilled at `requests / intervalSeconds` per second (values below 1
    /// count as 1; the config decoder refuses them anyway).
    public init(_ limit: ProxyConfig.RateLimit) {
        capacity = Double(max(limit.burst, 1))
        perSecond = Double(max(limit.requests, 1)) / Double(max(limit.intervalSeconds, 1))
    }
}

/// A token bucket, filled lazily: it stores the tokens at `updated` and computes those at
/// any later time from the rate it is asked with, so a rate that changes (a reloaded
/// config, another grant in force) applies from then on and never resets what was used.
/// A new bucket is full; a full bucket says nothing that a new one would not. Pure.
public struct TokenBucket: Sendable, Hashable {
    public private(set) var tokens: Double
    public private(set) var updated: Date

    /// Rounding slack: a token refilled in steps that sum to 1 up to the last bit counts as one.
    static let epsilon = 1e-9

    public init(full rate: BucketRate, at now: Date) {
        tokens = rate.capacity
        updated = now
    }

    /// The tokens at `now`, at most the capacity. A clock that went back adds none.
    public func available(at now: Date, rate: BucketRate) -> Double {
        min(rate.capacity, tokens + max(0, now.timeIntervalSince(updated)) * rate.perSecond)
    }

    /// Whether a request may pass at `now`: a whole token is there.
    public func hasToken(at now: Date, rate: BucketRate) -> Bool {
        available(at: now, rate: rate) + Self.epsilon >= 1
    }

    /// Takes one token at `now` if there is one; false (and nothing changed) otherwise.
    public mutating func take(at now: Date, rate: BucketRate) -> Bool {
        guard hasToken(at: now, rate: rate) else { return false }
        tokens = available(at: now, rate: rate) - 1
        updated = max(updated, now)
        return true
    }

    /// Seconds from `now` until a token is there; 0 when one is.
    public func wait(at now: Date, rate: BucketRate) -> TimeInterval {
        hasToken(at: now, rate: rate) ? 0 : (1 - available(at: now, rate: rate)) / rate.perSecond
    }

    /// Whether the bucket is full at `now`: it can be forgotten.
    public func isFull(at now: Date, rate: BucketRate) -> Bool {
        available(at: now, rate: rate) + Self.epsilon >= rate.capacity
    }
}
