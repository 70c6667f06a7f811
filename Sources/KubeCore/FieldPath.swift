/// A path to a field inside an object, printed the way Kubernetes prints them:
/// `spec.tools[0].name`.
public struct FieldPath: Sendable, Hashable, CustomStringConvertible, Comparable {
    /// One step of a path: a member name or an array index.
    public enum Component: Sendable, Hashable {
        case key(String)
        case index(Int)
    }

    public var components: [Component]

    public init(_ components: [Component] = []) {
        self.components = components
    }

    /// A path of member names, e.g. `FieldPath("spec", "auth", "mode")`.
    public init(_ keys: String...) {
        self.components = keys.map(Component.key)
    }

    /// The path one member deeper.
    public func child(_ key: String) -> FieldPath {
        FieldPath(components + [.key(key)])
    }

    /// The path of several members deeper.
    public func child(_ keys: String...) -> FieldPath {
        FieldPath(components + keys.map(Component.key))
    }

    /// The path of one array element.
    public func index(_ index: Int) -> FieldPath {
        FieldPath(components + [.index(index)])
    }

    public var description: String {
        var text = ""
        for component in components {
            switch component {
            case .key(let key):
                if !text.isEmpty { text += "." }
                text += key
            case .index(let index):
                text += "[\(index)]"
            }
        }
        return text.isEmpty ? "<root>" : text
    }

    public static func < (lhs: FieldPath, rhs: FieldPath) -> Bool {
        lhs.description < rhs.description
    }

    /// Builds a path from the coding path of a `DecodingError`.
    public init(codingPath: [any CodingKey]) {
        self.components = codingPath.map { key in
            if let index = key.intValue { return .index(index) }
            return .key(key.stringValue)
        }
    }
}
