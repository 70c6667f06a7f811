import KubeClient
import KubeCore

/// Keeps an `ObjectStore` in step with the API server, the way client-go's reflector and
/// kube-rs' watcher do: list, then watch from the list's `resourceVersion` (with
/// bookmarks); when a watch ends or drops, resume from the last version seen; on 410 Gone
/// relist. Every change is reported by key, with the object or nil when it went away.
public struct Informer<R: KubeResource>: Sendable {
    public let client: KubeClient
    /// nil: all namespaces.
    public let namespace: String?
    public let store: ObjectStore<R>
    public var backoff = RetryPolicy(attempts: .max, base: .milliseconds(200), maximum: .seconds(10))
    public var watchTimeoutSeconds = 290

    public init(client: KubeClient, namespace: String?, store: ObjectStore<R> = ObjectStore()) {
        self.client = client
        self.namespace = namespace
        self.store = store
    }

    /// What happened to the informer's stream, for metrics and logs.
    public enum Restart: Sendable {
        /// The server ended the watch (its timeout): resumed from the last version.
        case resumed
        /// 410 Gone: listed again.
        case relisted
        case failed(KubeError)
    }

    /// Runs until the task is cancelled.
    public func run(onChange: @escaping @Sendable (ObjectKey, R?) async -> Void, onRestart: @escaping @Sendable (Restart) async -> Void = { _ in }) async {
        var version: String?
        var failures = 0
        while !Task.isCancelled {
            do throws(KubeError) {
                if version == nil {
                    let list = try await client.list(R.self, namespace: namespace)
                    for key in await store.replace(with: list.items) { await onChange(key, await store.get(key)) }
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

    private func watch(from version: inout String?, onChange: @Sendable (ObjectKey, R?) async -> Void) async throws(KubeError) {
        let stream = client.watch(R.self, namespace: namespace, resourceVersion: version, timeoutSeconds: watchTimeoutSeconds)
        do {
            for try await event in stream {
                switch event {
                case .added(let object), .modified(let object):
                    if let key = await store.upsert(object) { await onChange(key, object) }
                    if let seen = object.metadata.resourceVersion { version = seen }
                case .deleted(let object):
                    if let key = await store.remove(object) { await onChange(key, nil) }
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
