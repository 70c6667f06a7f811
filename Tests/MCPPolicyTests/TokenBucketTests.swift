import Foundation
import MCPPolicy
import MCPProxyConfig
import Testing

/// The bucket math, at given instants: no clock is read.
@Suite struct TokenBucketTests {
    let start = Date(timeIntervalSince1970: 1_900_000_000)
    /// 10 requests per 60 s, burst 5: a token every 6 s.
    let rate = BucketRate(ProxyConfig.RateLimit(requests: 10, intervalSeconds: 60, burst: 5))

    /// `TokenBucket.take`, outside `#expect` (which cannot mutate).
    func take(_ bucket: inout TokenBucket, _ now: Date, _ rate: BucketRate) -> Bool {
        bucket.take(at: now, rate: rate)
    }

    @Test("the rate of a limit: burst tokens, requests per interval")
    func rateOfLimit() {
        #expect(rate.capacity == 5)
        #expect(abs(rate.perSecond - 1.0 / 6) < 1e-12)
    }

    @Test("a new bucket is full: burst requests pass at once, the next waits for a token")
    func burstThenEmpty() {
        var bucket = TokenBucket(full: rate, at: start)
        for _ in 0..<5 { #expect(take(&bucket, start, rate)) }
        #expect(!take(&bucket, start, rate))
        #expect(abs(bucket.wait(at: start, rate: rate) - 6) < 1e-9)
        #expect(!take(&bucket, start.addingTimeInterval(5.9), rate))
        #expect(abs(bucket.wait(at: start.addingTimeInterval(5), rate: rate) - 1) < 1e-9)
    }

    @Test("tokens refill at requests/interval, exactly at the instant one is whole")
    func refill() {
        var bucket = TokenBucket(full: rate, at: start)
        for _ in 0..<5 { _ = bucket.take(at: start, rate: rate) }
        // 1/6 per second added six times sums to 1 only up to rounding: it still counts.
        var now = start
        for _ in 0..<6 { now = now.addingTimeInterval(1) }
        #expect(take(&bucket, now, rate))
        #expect(!take(&bucket, now, rate))
        // A long pause refills at most to the burst.
        #expect(bucket.available(at: now.addingTimeInterval(3600), rate: rate) == 5)
        #expect(bucket.isFull(at: now.addingTimeInterval(30), rate: rate))
        #expect(!bucket.isFull(at: now.addingTimeInterval(29), rate: rate))
    }

    @Test("a limit changed by a reload applies from then on: a smaller burst caps the tokens, nothing is reset")
    func rateChange() {
        var bucket = TokenBucket(full: rate, at: start)
        for _ in 0..<2 { _ = bucket.take(at: start, rate: rate) }
        let smaller = BucketRate(ProxyConfig.RateLimit(requests: 10, intervalSeconds: 60, burst: 2))
        #expect(bucket.available(at: start, rate: smaller) == 2)
        #expect(take(&bucket, start, smaller) && take(&bucket, start, smaller))
        #expect(!take(&bucket, start, smaller))
    }

    @Test("a clock that goes back adds no tokens, and time is not counted twice")
    func clockBack() {
        var bucket = TokenBucket(full: rate, at: start)
        for _ in 0..<5 { _ = bucket.take(at: start, rate: rate) }
        #expect(bucket.available(at: start.addingTimeInterval(-600), rate: rate) == 0)
        #expect(!take(&bucket, start.addingTimeInterval(-600), rate))
        #expect(take(&bucket, start.addingTimeInterval(6), rate))
        #expect(bucket.updated == start.addingTimeInterval(6))
    }
}
