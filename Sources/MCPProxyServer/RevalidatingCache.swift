import MCPProxyConfig
import Synchronization

/// Monotonic time for the issuer caches: the continuous clock in the proxy, a clock the
/// test drives in unit tests (so no test sleeps to see time pass).
protocol IssuerClock: Sendable {
    /// Time since the clock's origin; never goes back.
    var now: Duration { get }
    /// Returns after `duration` of this clock's time, or throws when cancelled.
    func sleep(for duration: Duration) async throws
}

struct ContinuousIssuerClock: IssuerClock {
    private let origin = ContinuousClock.now
    var now: Duration { ContinuousClock.now - origin }
    func sleep(for duration: Duration) async throws { try await Task.sleep(for: duration) }
}

/// One value fetched from the issuer (its JWKS, its metadata), served stale-while-revalidate
/// and failing closed past a maximum staleness:
/// - a value younger than `maxStaleness` is served at once; once older than `refreshAfter`
///   a fetch starts in the background, so no request waits on a fetch while it has a value;
/// - a caller that needs a fetch (`value(refresh: true)` for an unknown `kid`, or no usable
///   value) waits for it at most `fetchWait`, then gets what there is (or the error);
/// - one fetch at a time (every caller shares it), and at most one started per
///   `minFetchInterval` whatever asks, so random key ids cannot make the proxy hammer the issuer;
/// - a failed fetch keeps the last good value until it is older than `maxStaleness`.
actor RevalidatingCache<Value: Sendable> {
    struct Policy: Sendable, Hashable {
        var refreshAfter: Duration
        var maxStaleness: Duration
        var minFetchInterval: Duration
        var fetchWait: Duration

        init(refreshAfter: Duration, maxStaleness: Duration, minFetchInterval: Duration, fetchWait: Duration) {
            self.refreshAfter = refreshAfter
            self.maxStaleness = maxStaleness
            self.minFetchInterval = minFetchInterval
            self.fetchWait = fetchWait
        }

        init(_ settings: ProxyConfig.IssuerCache) {
            self.init(
                refreshAfter: .seconds(settings.refreshSeconds), maxStaleness: .seconds(settings.maxStalenessSeconds),
                minFetchInterval: .seconds(settings.minFetchIntervalSeconds), fetchWait: .milliseconds(settings.fetchWaitMilliseconds)
            )
        }
    }

    /// What the cache holds now (for readiness and logs).
    struct Status: Sendable {
        /// Age of the value held, usable or not; nil before the first successful fetch.
        var age: Duration?
        var usable: Bool
        var fetching: Bool
        /// Why the last fetch failed, if it did (safe to show: never a token).
        var lastError: String?
    }

    let policy: Policy
    private let clock: any IssuerClock
    private let fetch: @Sendable () async throws -> Value
    private var cached: (value: Value, fetched: Duration)?
    private var lastAttempt: Duration?
    private var lastError: (any Error)?
    private var fetching = false
    private var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
    private var nextWaiter = 0

    init(policy: Policy, clock: any IssuerClock = ContinuousIssuerClock(), fetch: @escaping @Sendable () async throws -> Value) {
        self.policy = policy
        self.clock = clock
        self.fetch = fetch
    }

    /// A value to use now. `refresh`: the caller found the value lacking (an unknown `kid`)
    /// and wants a fetch; it waits for one at most `fetchWait`, and gets the value held
    /// if no fetch may start now or none finishes in time.
    func value(refresh: Bool = false) async throws -> Value {
        let now = clock.now
        if !refresh, let cached, now - cached.fetched <= policy.maxStaleness {
            if now - cached.fetched >= policy.refreshAfter { startFetch(now: now) }
            return cached.value
        }
        startFetch(now: now)
        await waitForFetch()
        if let cached, clock.now - cached.fetched <= policy.maxStaleness { return cached.value }
        if let lastError { throw lastError }
        throw IssuerError(cached == nil ? "no fetch of the issuer has succeeded yet" : "the last successful fetch from the issuer is older than the maximum staleness")
    }

    /// What is held now. Starts a fetch, without waiting for it, when the value is
    /// missing, unusable or due for a refresh (readiness probes keep an idle proxy's keys fresh).
    func status() -> Status {
        let now = clock.now
        let age = cached.map { now - $0.fetched }
        if age.map({ $0 >= policy.refreshAfter }) ?? true { startFetch(now: now) }
        return Status(age: age, usable: age.map { $0 <= policy.maxStaleness } ?? false, fetching: fetching, lastError: lastError.map { "\($0)" })
    }

    /// Starts a fetch unless one is running or the last one started less than
    /// `minFetchInterval` ago.
    private func startFetch(now: Duration) {
        guard !fetching else { return }
        if let lastAttempt, now - lastAttempt < policy.minFetchInterval { return }
        lastAttempt = now
        fetching = true
        let fetch = self.fetch
        Task {
            let result: Result<Value, any Error>
            do {
                result = .success(try await fetch())
            } catch {
                result = .failure(error)
            }
            self.finish(result)
        }
    }

    private func finish(_ result: Result<Value, any Error>) {
        fetching = false
        switch result {
        case .success(let value):
            cached = (value, clock.now)
            lastError = nil
        case .failure(let error):
            lastError = error
        }
        let ready = waiters
        waiters = [:]
        for waiter in ready.values { waiter.resume() }
    }

    /// Returns when the running fetch finishes, or after `fetchWait`, whichever is first;
    /// at once when no fetch runs. The fetch itself is never cancelled by a waiter.
    private func waitForFetch() async {
        guard fetching else { return }
        let id = nextWaiter
        nextWaiter += 1
        let clock = self.clock
        let wait = policy.fetchWait
        let timer = Task {
            try? await clock.sleep(for: wait)
            self.expire(id)
        }
        await withCheckedContinuation { waiters[id] = $0 }
        timer.cancel()
    }

    private func expire(_ id: Int) {
        waiters.removeValue(forKey: id)?.resume()
    }
}
