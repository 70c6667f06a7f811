import Foundation
import MCPPolicy
import MCPProxyConfig
import Testing

/// The replica's buckets: all-or-nothing demands, bounded memory, idle keys forgotten,
/// state kept when the limits change. Time is given, never read.
@Suite struct RateLimiterTests {
    let start = Date(timeIntervalSince1970: 1_900_000_000)
    /// 2 per 60 s, burst 2.
    let slow = BucketRate(ProxyConfig.RateLimit(requests: 2, intervalSeconds: 60, burst: 2))
    let fast = BucketRate(ProxyConfig.RateLimit(requests: 100, intervalSeconds: 1, burst: 100))

    func demand(_ parts: String..., rate: BucketRate) -> RateLimiter.Demand {
        RateLimiter.Demand(key: RateLimitKey(parts), rate: rate)
    }

    @Test("each key has its own bucket: one caller limited, another unaffected")
    func perKey() {
        let limiter = RateLimiter()
        let alice = demand("human", "alice", rate: slow), bob = demand("human", "bob", rate: slow)
        #expect(limiter.acquire([alice], now: start) == .allowed)
        #expect(limiter.acquire([alice], now: start) == .allowed)
        guard case .limited(0, let wait) = limiter.acquire([alice], now: start) else { Issue.record("alice not limited"); return }
        #expect(abs(wait - 30) < 1e-9)
        #expect(limiter.acquire([bob], now: start) == .allowed)
        #expect(limiter.acquire([alice], now: start.addingTimeInterval(30)) == .allowed)
    }

    @Test("a request limited by one bucket takes nothing from the others; the one waiting longest is named")
    func allOrNothing() {
        let limiter = RateLimiter()
        let human = demand("human", "alice", rate: fast), tool = demand("tool", "set_alert", "alice", rate: slow)
        #expect(limiter.acquire([human, tool], now: start) == .allowed)
        #expect(limiter.acquire([human, tool], now: start) == .allowed)
        for _ in 0..<10 {
            guard case .limited(1, _) = limiter.acquire([human, tool], now: start) else { Issue.record("the tool limit did not apply"); return }
        }
        // The human bucket gave two tokens only: 98 are left.
        for _ in 0..<98 { #expect(limiter.acquire([human], now: start) == .allowed) }
        guard case .limited(0, _) = limiter.acquire([human], now: start) else { Issue.record("the human limit did not apply"); return }
    }

    @Test("parts are length-prefixed: no two callers share a key by concatenation")
    func keysAreUnambiguous() {
        #expect(RateLimitKey(["tool", "ab", "c"]) != RateLimitKey(["tool", "a", "bc"]))
        #expect(RateLimitKey(["human", "alice"]) != RateLimitKey(["agent", "alice"]))
        #expect(RateLimitKey(["human", "alice"]) == RateLimitKey(["human", "alice"]))
        // Byte for byte: the decomposed accent is another caller.
        #expect(RateLimitKey(["human", "\u{E9}"]) != RateLimitKey(["human", "e\u{301}"]))
    }

    @Test("a bucket that is full again is forgotten at the next sweep")
    func idleForgotten() {
        let limiter = RateLimiter()
        #expect(limiter.acquire([demand("human", "alice", rate: slow)], now: start) == .allowed)
        #expect(limiter.acquire([demand("human", "bob", rate: slow)], now: start.addingTimeInterval(20)) == .allowed)
        #expect(limiter.trackedKeys == 2)
        // One token back takes 30 s: alice's bucket is full from 30 s, bob's from 50 s, carol's from 70 s.
        #expect(limiter.acquire([demand("human", "carol", rate: slow)], now: start.addingTimeInterval(40)) == .allowed)
        #expect(limiter.trackedKeys == 3)
        #expect(limiter.acquire([demand("human", "carol", rate: slow)], now: start.addingTimeInterval(RateLimiter.sweepInterval)) == .allowed)
        // Swept at 60 s: alice and bob forgotten, carol (used at 40 s and 60 s) kept.
        #expect(limiter.trackedKeys == 1)
    }

    @Test("the number of buckets is capped: full ones go first, then the least recently used")
    func capped() {
        let limiter = RateLimiter(maxKeys: 4)
        for (offset, name) in ["a", "b", "c", "d"].enumerated() {
            let now = start.addingTimeInterval(Double(offset))
            #expect(limiter.acquire([demand("human", name, rate: slow)], now: now) == .allowed)
            #expect(limiter.acquire([demand("human", name, rate: slow)], now: now) == .allowed)
        }
        #expect(limiter.trackedKeys == 4)
        // All four are empty; a fifth caller evicts the least recently used, "a".
        #expect(limiter.acquire([demand("human", "e", rate: slow)], now: start.addingTimeInterval(4)) == .allowed)
        #expect(limiter.trackedKeys == 4)
        #expect(limiter.acquire([demand("human", "a", rate: slow)], now: start.addingTimeInterval(4)) == .allowed, "a starts again with a full bucket")
        guard case .limited = limiter.acquire([demand("human", "d", rate: slow)], now: start.addingTimeInterval(5)) else { Issue.record("d was forgotten"); return }
        // Once buckets are full again they make room before anyone is evicted.
        let later = start.addingTimeInterval(3600)
        for name in ["f", "g", "h", "i"] { #expect(limiter.acquire([demand("human", name, rate: slow)], now: later) == .allowed) }
        #expect(limiter.trackedKeys == 4)
    }

    @Test("a change of limits keeps what was used: the bucket is the caller's, the rate the one in force")
    func rateChangeKeepsState() {
        let limiter = RateLimiter()
        let alice = RateLimitKey(["human", "alice"])
        for _ in 0..<2 { #expect(limiter.acquire([.init(key: alice, rate: slow)], now: start) == .allowed) }
        // A raised limit (a grant, a reload) refills faster but does not hand out a new burst.
        let raised = BucketRate(ProxyConfig.RateLimit(requests: 60, intervalSeconds: 60, burst: 10))
        guard case .limited(0, let wait) = limiter.acquire([.init(key: alice, rate: raised)], now: start) else { Issue.record("state was reset"); return }
        #expect(abs(wait - 1) < 1e-9)
        #expect(limiter.acquire([.init(key: alice, rate: raised)], now: start.addingTimeInterval(1)) == .allowed)
    }
}
