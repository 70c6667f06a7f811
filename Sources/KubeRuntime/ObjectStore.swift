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

/// One change an informer saw: the object as it is now (and as it was before, if it was
/// known), or as it was when it went away.
public enum ObjectChange<R: KubeResource>: Sendable {
    case applied(ObjectKey, R, previous: R?)
    case deleted(ObjectKey, R)

    public var key: ObjectKey {
        switch self {
        case .applied(let key, _, _), .deleted(let key, _): key
        }
    }

    public var object: R {
        switch self {
        case .applied(_, let object, _), .deleted(_, let object): object
        }
    }

    /// The object now and, when it changed, before: a mapper must see both, or a grant
    /// moved from one server to another would leave the first one stale.
    public var versions: [R] {
        switch self {
        case .applied(_, let object, let previous?): [object, previous]
        case .applied(_, let object, nil), .deleted(_, let object): [object]
        }
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

    /// Replaces everything with a fresh list; returns what changed or went away.
    func replace(with items: [R]) -> [ObjectChange<R>] {
        var fresh: [ObjectKey: R] = [:]
        for item in items {
            if let key = ObjectKey(item.metadata) { fresh[key] = item }
        }
        var changes: [ObjectChange<R>] = []
        for key in Set(fresh.keys).union(objects.keys).sorted() {
            switch (objects[key], fresh[key]) {
            case (let old?, nil): changes.append(.deleted(key, old))
            case (let old, let new?) where old == nil || old?.metadata.resourceVersion != new.metadata.resourceVersion || new.metadata.resourceVersion == nil:
                changes.append(.applied(key, new, previous: old))
            default: break
            }
        }
        objects = fresh
        synced = true
        return changes
    }

    func upsert(_ object: R) -> ObjectChange<R>? {
        guard let key = ObjectKey(object.metadata) else { return nil }
        let previous = objects.updateValue(object, forKey: key)
        return .applied(key, object, previous: previous)
    }

    func remove(_ object: R) -> ObjectChange<R>? {
        guard let key = ObjectKey(object.metadata) else { return nil }
        guard objects.removeValue(forKey: key) != nil else { return nil }
        return .deleted(key, object)
    }
}
