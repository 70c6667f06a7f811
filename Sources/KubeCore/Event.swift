/// `v1.Event`: what `kubectl describe` shows under Events.
public struct Event: KubeResource, Hashable {
    public static let apiVersion = "v1"
    public static let kind = "Event"
    public static let plural = "events"

    public var apiVersion = Event.apiVersion
    public var kind = Event.kind
    public var metadata: ObjectMeta
    public var involvedObject: ObjectReference
    public var reason: String?
    public var message: String?
    /// `Normal` or `Warning`.
    public var type: String?
    public var source: EventSource?
    public var reportingComponent: String?
    public var reportingInstance: String?
    public var firstTimestamp: String?
    public var lastTimestamp: String?
    public var count: Int?

    public init(metadata: ObjectMeta, involvedObject: ObjectReference, reason: String, message: String, type: String) {
        self.metadata = metadata
        self.involvedObject = involvedObject
        self.reason = reason
        self.message = message
        self.type = type
    }
}

public struct ObjectReference: Codable, Sendable, Hashable {
    public var apiVersion: String?
    public var kind: String?
    public var namespace: String?
    public var name: String?
    public var uid: String?

    public init(apiVersion: String?, kind: String?, namespace: String?, name: String?, uid: String?) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.namespace = namespace
        self.name = name
        self.uid = uid
    }
}

public struct EventSource: Codable, Sendable, Hashable {
    public var component: String?
    public var host: String?

    public init(component: String?, host: String? = nil) {
        self.component = component
        self.host = host
    }
}
