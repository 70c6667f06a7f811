@testable import MCPProxyServer
import Synchronization
import Testing

/// A fetch the test answers by hand: each call waits until `answer` (or fails at once
/// when `failFast` is set, like a refused connection).
final class ScriptedFetch: Sendable {
    struct Refused: Error {}
    private struct State {
        var calls = 0
        var pending: [CheckedContinuation<Int, any Error>] = []
        var failFast = false
    }

    private let state = Mutex(State())

    var calls: Int { state.withLock { $0.calls } }
    var waiting: Int { state.withLock { $0.pending.count } }

    func failFast(_ on: Bool) { state.withLock { $0.failFast = on } }

    @Sendable func callAsFunction() async throws -> Int {
        try await withCheckedThrowingContinuation { continuation in
            let refuse = state.withLock { state in
                state.calls += 1
                if state.failFast { return true }
                state.pending.append(continuation)
                return false
            }
            if refuse { continuation.resume(throwing: Refused()) }
        }
    }

    /// Completes every waiting fetch with `value` (or the error when nil).
    func answer(_ value: Int?) {
        let pending = state.withLock { state in
            defer { state.pending = [] }
            return state.pending
        }
        for continuation in pending {
            if let value { continuation.resume(returning: value) } else { continuation.resume(throwing: Refused()) }
        }
    }
}

/// The issuer caches' stale-while-revalidate rules, on a clock the test moves.
@Suite(.timeLimit(.minutes(1))) struct RevalidatingCacheTests {
    let clock = ManualClock()
    let fetch = ScriptedFetch()
    static let policy = RevalidatingCache<Int>.Policy(refreshAfter: .seconds(300), maxStaleness: .seconds(86_400), minFetchInterval: .seconds(10), fetchWait: .seconds(2))

    func cache(_ policy: RevalidatingCache<Int>.Policy = policy) -> RevalidatingCache<Int> {
        RevalidatingCache(policy: policy, clock: clock) { [fetch] in try await fetch() }
    }

    /// A cache that fetched `value` at the clock's now.
    func loaded(_ value: Int = 1, policy: RevalidatingCache<Int>.Policy = policy) async throws -> RevalidatingCache<Int> {
        let cache = cache(policy)
        let first = Task { try await cache.value() }
        try await eventually("the first fetch") { fetch.waiting == 1 }
        fetch.answer(value)
        #expect(try await first.value == value)
        return cache
    }

    @Test("stale keys are served at once while a background refresh runs; the refresh replaces them")
    func staleWhileRevalidate() async throws {
        let cache = try await loaded(1)
        clock.advance(by: .seconds(299))
        #expect(try await cache.value() == 1)
        #expect(fetch.calls == 1, "not due yet")
        clock.advance(by: .seconds(2))
        // Due: answered from the cache without waiting, though the fetch never answers yet.
        #expect(try await cache.value() == 1)
        #expect(try await cache.value() == 1)
        try await eventually("one background refresh") { fetch.waiting == 1 }
        #expect(fetch.calls == 2)
        #expect(clock.sleeping == 0, "nobody waits for it")
        fetch.answer(2)
        try await eventually("the refresh landing") { (try? await cache.value()) == 2 }
    }

    @Test("an unreachable issuer: the last keys serve until the maximum staleness, then fail closed")
    func maximumStaleness() async throws {
        let cache = try await loaded(1)
        fetch.failFast(true)
        for _ in 0..<10 {
            clock.advance(by: .seconds(8_640))
            #expect(try await cache.value() == 1)
        }
        #expect(await cache.status().usable)
        clock.advance(by: .seconds(1))
        await #expect(throws: ScriptedFetch.Refused.self) { try await cache.value() }
        #expect(await !cache.status().usable)
        // Fetches while stale were at most one per minimum interval (never one per request).
        #expect(fetch.calls <= 1 + 12)
        // Back: the next allowed fetch restores service.
        fetch.failFast(false)
        clock.advance(by: .seconds(10))
        let recovering = Task { try await cache.value() }
        try await eventually("a fetch") { fetch.waiting == 1 }
        fetch.answer(3)
        #expect(try await recovering.value == 3)
    }

    @Test("an unknown kid refetches, waits at most the fetch wait, and then gets the keys at hand")
    func boundedWait() async throws {
        let cache = try await loaded(1)
        clock.advance(by: .seconds(10))
        let refresh = Task { try await cache.value(refresh: true) }
        try await eventually("the refetch and its waiter") { fetch.waiting == 1 && clock.sleeping == 1 }
        clock.advance(by: .seconds(2))
        #expect(try await refresh.value == 1, "gave up waiting; the old keys")
        // The fetch still lands for everyone afterwards.
        fetch.answer(2)
        try await eventually("the refetch landing") { (try? await cache.value()) == 2 }
    }

    @Test("an unknown kid's refetch that answers in time is used")
    func refreshInTime() async throws {
        let cache = try await loaded(1)
        clock.advance(by: .seconds(10))
        let refresh = Task { try await cache.value(refresh: true) }
        try await eventually("the refetch") { fetch.waiting == 1 }
        fetch.answer(2)
        #expect(try await refresh.value == 2)
    }

    @Test("random kids cannot hammer the issuer: one refetch in flight, at most one per interval")
    func rateLimitedRefetch() async throws {
        let cache = try await loaded(1)
        // Within the interval of the last fetch: no refetch at all, no waiting.
        for _ in 0..<50 { #expect(try await cache.value(refresh: true) == 1) }
        #expect(fetch.calls == 1)
        clock.advance(by: .seconds(10))
        let flood = (0..<50).map { _ in Task { try await cache.value(refresh: true) } }
        try await eventually("every caller waiting on the one refetch") { clock.sleeping == 50 && fetch.waiting == 1 }
        #expect(fetch.calls == 2, "one refetch shared by 50 unknown kids")
        fetch.answer(nil)
        for caller in flood { #expect(try await caller.value == 1) }
        // Failed just now: the next unknown kid does not refetch before the interval.
        #expect(try await cache.value(refresh: true) == 1)
        #expect(fetch.calls == 2)
        clock.advance(by: .seconds(9))
        #expect(try await cache.value(refresh: true) == 1)
        #expect(fetch.calls == 2)
    }

    @Test("concurrent first requests share one fetch")
    func singleFlight() async throws {
        let cache = cache()
        let callers = (0..<20).map { _ in Task { try await cache.value() } }
        try await eventually("all waiting") { clock.sleeping == 20 && fetch.waiting == 1 }
        #expect(fetch.calls == 1)
        fetch.answer(7)
        for caller in callers { #expect(try await caller.value == 7) }
        #expect(fetch.calls == 1)
    }

    @Test("no keys and an issuer that does not answer: a request waits at most the fetch wait")
    func firstRequestBounded() async throws {
        let cache = cache()
        let first = Task { try await cache.value() }
        try await eventually("waiting") { clock.sleeping == 1 }
        clock.advance(by: .seconds(2))
        await #expect(throws: IssuerError.self) { try await first.value }
        try await eventually("the fetch going on in the background") { fetch.waiting == 1 }
        fetch.answer(5)
        try await eventually("loaded") { (try? await cache.value()) == 5 }
    }

    @Test("no keys and a refused connection: the error at once, and no new fetch before the interval")
    func firstRequestRefused() async throws {
        fetch.failFast(true)
        let cache = cache()
        await #expect(throws: ScriptedFetch.Refused.self) { try await cache.value() }
        await #expect(throws: ScriptedFetch.Refused.self) { try await cache.value() }
        #expect(fetch.calls == 1)
        #expect(clock.sleeping == 0)
    }

    @Test("status: not loaded, then usable, then beyond the maximum staleness; it starts due fetches without waiting")
    func status() async throws {
        let policy = RevalidatingCache<Int>.Policy(refreshAfter: .seconds(60), maxStaleness: .seconds(120), minFetchInterval: .seconds(10), fetchWait: .seconds(2))
        let cache = cache(policy)
        var status = await cache.status()
        #expect(status.age == nil && !status.usable && status.fetching)
        try await eventually("the fetch") { fetch.waiting == 1 }
        fetch.answer(1)
        try await eventually("loaded") { await cache.status().usable }
        fetch.failFast(true)
        clock.advance(by: .seconds(61))
        status = await cache.status()
        #expect(status.usable)
        try await eventually("the due refresh failing") { await cache.status().lastError != nil }
        clock.advance(by: .seconds(60))
        status = await cache.status()
        #expect(!status.usable && status.age == .seconds(121))
    }
}
