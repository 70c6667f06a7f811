/// The controller's queue of keys to reconcile, with client-go's guarantees: a key waits
/// at most once (adding it again is free), a key being processed is never handed out
/// again until `done`, and a key added while processing is queued once `done` is called.
/// `add(_:after:)` holds a key back; an earlier deadline or an immediate add wins.
public actor WorkQueue<Key: Hashable & Sendable> {
    private var pending: [Key] = []
    private var queued: Set<Key> = []
    private var processing: Set<Key> = []
    private var dirty: Set<Key> = []
    private var delayed: [Key: (deadline: ContinuousClock.Instant, timer: Task<Void, Never>)] = [:]
    private var waiters: [(id: Int, continuation: CheckedContinuation<Key?, Never>)] = []
    private var nextWaiter = 0
    private var isShutDown = false

    public init() {}

    /// Keys waiting to be handed out (not those being processed or held back).
    public var depth: Int { pending.count }

    public func add(_ key: Key) {
        guard !isShutDown else { return }
        delayed.removeValue(forKey: key)?.timer.cancel()
        if processing.contains(key) {
            dirty.insert(key)
        } else if queued.insert(key).inserted {
            pending.append(key)
            handOut()
        }
    }

    /// Adds `key` once `delay` has passed, unless it is added sooner.
    public func add(_ key: Key, after delay: Duration) {
        guard !isShutDown else { return }
        guard delay > .zero else { return add(key) }
        let deadline = ContinuousClock.now + delay
        if let existing = delayed[key], existing.deadline <= deadline { return }
        if queued.contains(key) { return }
        delayed[key]?.timer.cancel()
        let timer = Task { [weak self] in
            try? await Task.sleep(until: deadline, clock: .continuous)
            guard !Task.isCancelled else { return }
            await self?.fire(key, deadline: deadline)
        }
        delayed[key] = (deadline, timer)
    }

    /// The next key to process, waiting for one; nil once shut down or cancelled.
    /// Call `done` with it when its processing ends.
    public func next() async -> Key? {
        if let key = takeFirst() { return key }
        if isShutDown { return nil }
        let id = nextWaiter
        nextWaiter += 1
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                if Task.isCancelled {
                    continuation.resume(returning: nil)
                } else {
                    waiters.append((id, continuation))
                }
            }
        } onCancel: {
            Task { await self.cancelWaiter(id) }
        }
    }

    public func done(_ key: Key) {
        processing.remove(key)
        if dirty.remove(key) != nil { add(key) }
    }

    /// Wakes every waiter with nil and accepts nothing more.
    public func shutDown() {
        isShutDown = true
        for entry in delayed.values { entry.timer.cancel() }
        delayed.removeAll()
        for waiter in waiters { waiter.continuation.resume(returning: nil) }
        waiters.removeAll()
    }

    private func fire(_ key: Key, deadline: ContinuousClock.Instant) {
        guard delayed[key]?.deadline == deadline else { return }
        delayed[key] = nil
        add(key)
    }

    private func takeFirst() -> Key? {
        guard !pending.isEmpty else { return nil }
        let key = pending.removeFirst()
        queued.remove(key)
        processing.insert(key)
        return key
    }

    private func handOut() {
        while !waiters.isEmpty, let key = takeFirst() {
            waiters.removeFirst().continuation.resume(returning: key)
        }
    }

    private func cancelWaiter(_ id: Int) {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return }
        waiters.remove(at: index).continuation.resume(returning: nil)
    }
}
