import KubeClient
import KubeCore

/// What a reconcile asks for once it succeeded.
public enum Action: Sendable, Equatable {
    /// Nothing until something watched changes.
    case awaitChange
    /// Reconcile again after this long even if nothing changes (time-based state).
    case requeue(after: Duration)
}

/// What the controller reports for metrics and logs.
public struct ControllerEvents: Sendable {
    /// A reconcile ended: the key, how long it took, and its error if it failed.
    public var reconciled: @Sendable (ObjectKey, Duration, (any Error)?) -> Void = { _, _, _ in }
    /// An informer's watch restarted: the resource kind and how.
    public var restarted: @Sendable (String, Restart) -> Void = { _, _ in }

    public init() {}
}

/// What happened to an informer's stream, for metrics and logs.
public enum Restart: Sendable {
    /// The server ended the watch (its timeout): resumed from the last version.
    case resumed
    /// 410 Gone: listed again.
    case relisted
    case failed(KubeError)
}

/// kube-rs' `Controller`: one root resource, informers that map changes of the root,
/// of owned objects and of related objects to root keys, a work queue in between, and
/// workers that call `reconcile` for one key at a time. Failures are requeued after
/// `errorPolicy`'s delay (by attempt); successes as `reconcile`'s `Action` says.
/// Workers start once every informer has listed, so reconcile sees complete stores.
public struct Controller<Root: KubeResource>: Sendable {
    public let root: Informer<Root>
    public let queue = WorkQueue<ObjectKey>()
    private var sources: [Source] = []

    private struct Source: Sendable {
        var run: @Sendable (WorkQueue<ObjectKey>, ControllerEvents) async -> Void
        var synced: @Sendable () async -> Bool
    }

    public init(_ root: Informer<Root>) {
        self.root = root
        sources.append(Self.source(root) { change in [change.key] })
    }

    /// Reconciles the root keys `mapper` names whenever an object of `informer` changes
    /// or goes away: owned objects (by owner reference or label) or related ones (a
    /// grant's `serverRef`). The mapper sees the object before and after a change.
    public func watches<Other: KubeResource>(_ informer: Informer<Other>, mapper: @escaping @Sendable (Other) -> [ObjectKey]) -> Self {
        with(Self.source(informer) { change in change.versions.flatMap(mapper) })
    }

    /// A source that is not a typed informer here: `run` calls `enqueue` with root keys and
    /// `restarted` with its watch restarts until cancelled; `synced` says when it listed.
    public func watches(
        kind: String, synced: @escaping @Sendable () async -> Bool,
        run: @escaping @Sendable (_ enqueue: @escaping @Sendable (ObjectKey) async -> Void, _ restarted: @escaping @Sendable (Restart) async -> Void) async -> Void
    ) -> Self {
        with(Source(run: { queue, events in
            await run({ await queue.add($0) }, { events.restarted(kind, $0) })
        }, synced: synced))
    }

    private func with(_ source: Source) -> Self {
        var copy = self
        copy.sources.append(source)
        return copy
    }

    /// The root keys an object's controller owner references name.
    public static func owners(of metadata: ObjectMeta) -> [ObjectKey] {
        (metadata.ownerReferences ?? []).filter { $0.kind == Root.kind && $0.apiVersion == Root.apiVersion }
            .map { ObjectKey(namespace: metadata.namespace ?? "", name: $0.name) }
    }

    /// True once every informer has listed.
    public func synced() async -> Bool {
        for source in sources where !(await source.synced()) { return false }
        return true
    }

    /// Runs informers and `workers` workers until the task is cancelled.
    public func run(
        workers: Int = 4,
        events: ControllerEvents = ControllerEvents(),
        reconcile: @escaping @Sendable (ObjectKey, Root?) async throws -> Action,
        errorPolicy: @escaping @Sendable (ObjectKey, any Error, Int) -> Duration = { _, _, attempt in RequeueBackoff().delay(attempt: attempt) }
    ) async {
        let queue = self.queue
        let failures = FailureCounts()
        await withTaskGroup(of: Void.self) { group in
            for source in sources {
                group.addTask { await source.run(queue, events) }
            }
            for _ in 0..<max(1, workers) {
                group.addTask {
                    while !(await synced()) {
                        guard (try? await Task.sleep(for: .milliseconds(50))) != nil else { return }
                    }
                    while let key = await queue.next() {
                        let started = ContinuousClock.now
                        do {
                            let action = try await reconcile(key, await root.store.get(key))
                            events.reconciled(key, ContinuousClock.now - started, nil)
                            await failures.reset(key)
                            if case .requeue(let delay) = action { await queue.add(key, after: delay) }
                        } catch {
                            events.reconciled(key, ContinuousClock.now - started, error)
                            let attempt = await failures.increment(key)
                            await queue.add(key, after: errorPolicy(key, error, attempt))
                        }
                        await queue.done(key)
                    }
                }
            }
            await withTaskCancellationHandler {
                await group.waitForAll()
            } onCancel: {
                Task { await queue.shutDown() }
            }
        }
    }

    private static func source<R: KubeResource>(_ informer: Informer<R>, keys: @escaping @Sendable (ObjectChange<R>) -> [ObjectKey]) -> Source {
        Source(
            run: { queue, events in
                await informer.run(
                    onChange: { change in
                        for key in keys(change) { await queue.add(key) }
                    },
                    onRestart: { restart in events.restarted(R.kind, restart) }
                )
            },
            synced: { await informer.store.synced }
        )
    }
}

/// Exponential requeue delays for failed reconciles: `base` doubled per attempt up to `maximum`.
public struct RequeueBackoff: Sendable {
    public var base: Duration
    public var maximum: Duration

    public init(base: Duration = .milliseconds(500), maximum: Duration = .seconds(300)) {
        self.base = base
        self.maximum = maximum
    }

    public func delay(attempt: Int) -> Duration {
        min(maximum, base * (1 << min(max(attempt - 1, 0), 30)))
    }
}

/// Consecutive failures per key.
actor FailureCounts {
    private var counts: [ObjectKey: Int] = [:]

    func increment(_ key: ObjectKey) -> Int {
        counts[key, default: 0] += 1
        return counts[key]!
    }

    func reset(_ key: ObjectKey) { counts[key] = nil }
}
