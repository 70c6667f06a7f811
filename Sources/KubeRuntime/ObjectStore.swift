import KubeCore

/// Names one object: what the work queue holds and what reconcile is called with.
public struct ObjectKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var namespace: String
    public var name: String

    public init(namespace: String, name: String) {
        self.namespace = namespace
        self.name = name
    }

    public init?(_ metadata: ObjectMeta) {
        guard let name = metadata.name else { return nil }
        self.init(namespace: metadata.namespace ?? "", name: name)
    }

    public var description: String { namespace.isEmpty ? name : "\(namespace)/\(name)" }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.namespace, lhs.name) < (rhs.namespace, rhs.name)
    }
}

/// The informer's local copy of one resource type, as of its last list and watch events.
/// Readers (reconcilers, mappers) see a consistent snapshot without calling the API.
public actor ObjectStore<R: KubeResource> {
    private var objects: [ObjectKey: R] = [:]
    /// True once the first list has landed: before that the store says nothing reliable.
    public private(set) var synced = false

    public init() {}

    public func get(_ key: ObjectKey) -> R? { objects[key] }
    public func all() -> [R] { objects.keys.sorted().compactMap { objects[$0] } }
    public var count: Int { objects.count }

    /// Replaces everything with a fresh list; returns the keys that changed or went away.
    func replace(with items: [R]) -> [ObjectKey] {
        var fresh: [ObjectKey: R] = [:]
        for item in items {
            if let key = ObjectKey(item.metadata) { fresh[key] = item }
        }
        let changed = fresh.keys.filter { objects[$0]?.metadata.resourceVersion != fresh[$0]?.metadata.resourceVersion || objects[$0] == nil }
        let removed = objects.keys.filter { fresh[$0] == nil }
        objects = fresh
        synced = true
        return (changed + removed).sorted()
    }

    func upsert(_ object: R) -> ObjectKey? {
        guard let key = ObjectKey(object.metadata) else { return nil }
        objects[key] = object
        return key
    }

    func remove(_ object: R) -> ObjectKey? {
        guard let key = ObjectKey(object.metadata) else { return nil }
        objects[key] = nil
        return key
    }
}
