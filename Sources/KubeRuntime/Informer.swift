import KubeClient
import KubeCore

/// Keeps an `ObjectStore` in step with the API server, the way client-go's reflector and
/// kube-rs' watcher do: list, then watch from the list's `resourceVersion` (with
/// bookmarks); when a watch ends or drops, resume from the last version seen; on 410 Gone
/// relist. Every change is reported with the object (as it was, when it went away).
public struct Informer<R: KubeResource>: Sendable {
    public let client: KubeClient
    /// nil: all namespaces.
    public let namespace: String?
    public let store: ObjectStore<R>
    public var backoff = RetryPolicy(attempts: .max, base: .milliseconds(200), maximum: .seconds(10))
    public var watchTimeoutSeconds = 290
    /// Narrows list and watch on the server; `filter` must agree with it, since API
    /// emulators may ignore selectors.
    public var labelSelector: String?
    public var fieldSelector: String?
    /// Objects it rejects are treated as absent.
    public var filter: @Sendable (R) -> Bool = { _ in true }

    public init(client: KubeClient, namespace: String?, store: ObjectStore<R> = ObjectStore()) {
        self.client = client
        self.namespace = namespace
        self.store = store
    }

    /// Runs until the task is cancelled.
    public func run(onChange: @escaping @Sendable (ObjectChange<R>) async -> Void, onRestart: @escaping @Sendable (Restart) async -> Void = { _ in }) async {
        var version: String?
        var failures = 0
        while !Task.isCancelled {
            do throws(KubeError) {
                if version == nil {
                    let list = try await client.list(R.self, namespace: namespace, labelSelector: labelSelector, fieldSelector: fieldSelector)
                    for change in await store.replace(with: list.items.filter(filter)) { await onChange(change) }
                    // Without a version (emulators) every watch start is a relist: still correct.
                    version = list.metadata.resourceVersion ?? ""
                }
                try await watch(from: &version, onChange: onChange)
                failures = 0
                if version?.isEmpty == true { version = nil }
                await onRestart(.resumed)
            } catch .gone {
                version = nil
                await onRestart(.relisted)
            } catch {
                failures += 1
                await onRestart(.failed(error))
                try? await Task.sleep(for: backoff.delay(attempt: failures))
            }
        }
    }

    private func watch(from version: inout String?, onChange: @Sendable (ObjectChange<R>) async -> Void) async throws(KubeError) {
        let stream = client.watch(R.self, namespace: namespace, resourceVersion: version, labelSelector: labelSelector, fieldSelector: fieldSelector, timeoutSeconds: watchTimeoutSeconds)
        do {
            for try await event in stream {
                switch event {
                case .added(let object), .modified(let object):
                    // A change that takes an object out of the filter is its deletion here.
                    let change = filter(object) ? await store.upsert(object) : await store.remove(object)
                    if let change { await onChange(change) }
                    if let seen = object.metadata.resourceVersion { version = seen }
                case .deleted(let object):
                    if let change = await store.remove(object) { await onChange(change) }
                    if let seen = object.metadata.resourceVersion { version = seen }
                case .bookmark(let seen):
                    if !seen.isEmpty { version = seen }
                }
            }
        } catch let error as KubeError {
            throw error
        } catch is CancellationError {
            return
        } catch {
            throw .decoding("\(error)")
        }
    }
}
