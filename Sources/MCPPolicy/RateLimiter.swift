import Foundation
import Synchronization

/// The token buckets of one proxy replica, by key, shared by every request and kept across
/// config reloads (`ProxyRuntime` hands it from one config to the next). Thread-safe; the
/// time is always given (`now`), never read here.
///
/// Memory is bounded: at most `maxKeys` buckets (`defaultMaxKeys`, 100 000, about 100 bytes
/// each). A bucket that is full again is forgotten, since it says nothing a new one would
/// not: at least every `sweepInterval` of request time, and whenever a new key would
/// exceed the cap. When the cap is still reached, the least recently used eighth of the
/// buckets is forgotten; their callers start again with a full bucket.
public final class RateLimiter: Sendable {
    public static let defaultMaxKeys = 100_000
    public static let sweepInterval: TimeInterval = 60

    /// One token wanted from the bucket `key`, which fills at `rate`.
    public struct Demand: Sendable, Hashable {
        public var key: RateLimitKey
        public var rate: BucketRate

        public init(key: RateLimitKey, rate: BucketRate) {
            self.key = key
            self.rate = rate
        }
    }

    public enum Outcome: Sendable, Hashable {
        /// A token was taken from every bucket.
        case allowed
        /// None was taken: the demand at `index` waits longest, `retryAfter` seconds,
        /// until every bucket has a token again.
        case limited(index: Int, retryAfter: TimeInterval)
    }

    struct Entry {
        var bucket: TokenBucket
        /// The rate it was last used with: what tells when it is full.
        var rate: BucketRate
        var lastUsed: Date
    }

    struct State {
        var entries: [RateLimitKey: Entry] = [:]
        var nextSweep: Date?
    }

    public let maxKeys: Int
    private let state = Mutex(State())

    public init(maxKeys: Int = defaultMaxKeys) {
        self.maxKeys = max(1, maxKeys)
    }

    /// The buckets tracked now.
    public var trackedKeys: Int { state.withLock { $0.entries.count } }

    /// A token from each demanded bucket, or from none: a request limited by one of its
    /// limits uses nothing of the others.
    public func acquire(_ demands: [Demand], now: Date) -> Outcome {
        state.withLock { state in
            sweepIfDue(&state, now: now)
            var longest: (index: Int, wait: TimeInterval)?
            for (index, demand) in demands.enumerated() {
                guard var entry = state.entries[demand.key] else { continue }
                entry.lastUsed = max(entry.lastUsed, now)
                state.entries[demand.key] = entry
                let wait = entry.bucket.wait(at: now, rate: demand.rate)
                if wait > 0, wait > longest?.wait ?? 0 { longest = (index, wait) }
            }
            if let longest { return .limited(index: longest.index, retryAfter: longest.wait) }
            let keys = Set(demands.map(\.key))
            for demand in demands {
                if var entry = state.entries[demand.key] {
                    _ = entry.bucket.take(at: now, rate: demand.rate)
                    entry.rate = demand.rate
                    state.entries[demand.key] = entry
                } else {
                    makeRoom(&state, now: now, keeping: keys)
                    var bucket = TokenBucket(full: demand.rate, at: now)
                    _ = bucket.take(at: now, rate: demand.rate)
                    state.entries[demand.key] = Entry(bucket: bucket, rate: demand.rate, lastUsed: now)
                }
            }
            return .allowed
        }
    }

    private func sweepIfDue(_ state: inout State, now: Date) {
        guard let next = state.nextSweep else {
            state.nextSweep = now.addingTimeInterval(Self.sweepInterval)
            return
        }
        guard now >= next else { return }
        forgetFull(&state, now: now)
        state.nextSweep = now.addingTimeInterval(Self.sweepInterval)
    }

    private func forgetFull(_ state: inout State, now: Date) {
        state.entries = state.entries.filter { !$0.value.bucket.isFull(at: now, rate: $0.value.rate) }
    }

    /// Below the cap for one more key: full buckets first, then the least recently used.
    private func makeRoom(_ state: inout State, now: Date, keeping: Set<RateLimitKey>) {
        guard state.entries.count >= maxKeys else { return }
        forgetFull(&state, now: now)
        guard state.entries.count >= maxKeys else { return }
        let excess = state.entries.count - maxKeys + 1
        let victims = state.entries.filter { !keeping.contains($0.key) }
            .sorted { $0.value.lastUsed < $1.value.lastUsed }
            .prefix(max(excess, maxKeys / 8))
        for victim in victims { state.entries[victim.key] = nil }
    }
}
