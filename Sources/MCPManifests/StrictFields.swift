import KubeCore

/// Finds fields present in a manifest that its typed decoding dropped: the
/// strict field validation kubectl applies, with a suggestion for likely typos.
enum StrictFields {
    struct Unknown {
        var path: FieldPath
        var suggestion: String?
    }

    /// Members of `input` (recursively) that the typed value's encoding `known` lacks.
    /// `typed` is the decoded value, used to name the fields a type has.
    static func unknown(input: JSONValue, known: JSONValue, typed: Any, path: FieldPath = FieldPath()) -> [Unknown] {
        switch (input, known) {
        case (.object(let members), .object(let knownMembers)):
            var found: [Unknown] = []
            for key in members.keys.sorted() {
                guard let value = members[key] else { continue }
                if let knownValue = knownMembers[key] {
                    found += unknown(input: value, known: knownValue, typed: typed, path: path.child(key))
                } else if value != .null {
                    found.append(Unknown(path: path.child(key), suggestion: suggestion(for: key, among: fieldNames(of: typed, at: path))))
                }
            }
            return found
        case (.array(let items), .array(let knownItems)):
            return zip(items.indices, zip(items, knownItems)).flatMap { index, pair in
                unknown(input: pair.0, known: pair.1, typed: typed, path: path.index(index))
            }
        default:
            return []
        }
    }

    /// The stored property names of the struct found at `path` inside `value`.
    static func fieldNames(of value: Any, at path: FieldPath) -> [String] {
        var current: Any = value
        for component in path.components {
            current = unwrap(current)
            let mirror = Mirror(reflecting: current)
            switch component {
            case .key(let key):
                guard mirror.displayStyle == .struct, let child = mirror.children.first(where: { $0.label == key }) else { return [] }
                current = child.value
            case .index(let index):
                guard mirror.displayStyle == .collection, index < mirror.children.count else { return [] }
                current = mirror.children[mirror.children.index(mirror.children.startIndex, offsetBy: index)].value
            }
        }
        let mirror = Mirror(reflecting: unwrap(current))
        guard mirror.displayStyle == .struct else { return [] }
        return mirror.children.compactMap(\.label)
    }

    private static func unwrap(_ value: Any) -> Any {
        let mirror = Mirror(reflecting: value)
        guard mirror.displayStyle == .optional else { return value }
        return mirror.children.first.map { unwrap($0.value) } ?? value
    }

    /// The closest field name: equal ignoring case, or within two edits.
    static func suggestion(for key: String, among names: [String]) -> String? {
        if let exact = names.first(where: { $0.lowercased() == key.lowercased() }) { return exact }
        let scored = names.map { ($0, editDistance($0.lowercased(), key.lowercased())) }.filter { $0.1 <= 2 }
        return scored.min { $0.1 < $1.1 }?.0
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var previous = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in stride(from: 1, through: b.count, by: 1) {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return a.isEmpty ? b.count : previous[b.count]
    }
}
