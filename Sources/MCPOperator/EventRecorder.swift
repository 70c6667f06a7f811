import Foundation
import KubeClient
import KubeCore
import Logging

/// Records Kubernetes Events (`kubectl describe` shows them) for an object. The same
/// reason and message for the same object is recorded once, not on every requeue.
actor EventRecorder {
    private let client: KubeClient
    private let component = "mcp-runtime-operator"
    private let instance: String
    private let logger: Logger
    private var recorded: [String: String] = [:]

    init(client: KubeClient, instance: String, logger: Logger) {
        self.client = client
        self.instance = instance
        self.logger = logger
    }

    /// Records a `Warning` (or `Normal`) Event; failing to record is logged, never thrown.
    func record<R: KubeResource>(_ object: R, type: String = "Warning", reason: String, message: String) async {
        let namespace = object.metadata.namespace ?? "default"
        let name = object.metadata.name ?? ""
        let identity = Self.identity(object, reason)
        guard recorded[identity] != message else { return }
        recorded[identity] = message
        let now = Date()
        let stamp = now.formatted(Date.ISO8601FormatStyle(timeZone: .gmt))
        var event = Event(
            metadata: ObjectMeta(name: "\(name).\(String(UInt64(now.timeIntervalSince1970 * 1_000_000_000), radix: 16))", namespace: namespace),
            involvedObject: ObjectReference(apiVersion: R.apiVersion, kind: R.kind, namespace: namespace, name: name, uid: object.metadata.uid),
            reason: reason, message: String(message.prefix(1024)), type: type
        )
        event.source = EventSource(component: component)
        event.reportingComponent = component
        event.reportingInstance = instance
        event.firstTimestamp = stamp
        event.lastTimestamp = stamp
        event.count = 1
        do {
            _ = try await client.create(event)
        } catch {
            logger.warning("cannot record an event", metadata: ["object": "\(identity)", "error": "\(error)"])
        }
    }

    /// Forgets an object's reason once it no longer holds, so that a recurrence is recorded.
    func clear<R: KubeResource>(_ object: R, reason: String) {
        recorded[Self.identity(object, reason)] = nil
    }

    private static func identity<R: KubeResource>(_ object: R, _ reason: String) -> String {
        "\(R.kind)/\(object.metadata.namespace ?? "default")/\(object.metadata.name ?? "")/\(reason)"
    }
}
