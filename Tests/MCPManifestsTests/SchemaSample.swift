import KubeCore

/// Builds documents from an OpenAPI schema and compares them with Swift values.
enum SchemaSample {
    enum Defaults {
        /// Fields with a `default:` take that value.
        case schemaValue
        /// Fields with a `default:` are left out.
        case omitted
    }

    /// A document that sets every field the schema names (one item per list and map).
    static func maximal(_ schema: JSONValue, kind: String, defaults: Defaults) throws -> JSONValue {
        guard case .object(var members) = sample(schema, defaults: defaults) else { throw CRDError("schema root is not an object") }
        members["apiVersion"] = .string("mcpruntime.org/v1alpha1")
        members["kind"] = .string(kind)
        members["metadata"] = .object(["name": .string("sample"), "namespace": .string("default")])
        return .object(members)
    }

    static func sample(_ schema: JSONValue, defaults: Defaults) -> JSONValue {
        switch schema["type"]?.stringValue {
        case "object":
            if case .object(let properties)? = schema["properties"] {
                var members: [String: JSONValue] = [:]
                for (name, property) in properties {
                    if let value = property["default"] {
                        if defaults == .schemaValue { members[name] = value }
                    } else {
                        members[name] = sample(property, defaults: defaults)
                    }
                }
                return .object(members)
            }
            if let additional = schema["additionalProperties"] {
                return .object(["sample-key": sample(additional, defaults: defaults)])
            }
            return .object([:])
        case "array":
            return .array([sample(schema["items"] ?? .null, defaults: defaults)])
        case "integer":
            if case .int(let minimum)? = schema["minimum"], minimum > 1 { return .int(minimum) }
            return .int(1)
        case "boolean":
            return .bool(true)
        default:
            if case .array(let values)? = schema["enum"], let first = values.first { return first }
            if schema["format"]?.stringValue == "date-time" { return .string("2030-01-01T00:00:00Z") }
            return .string("sample")
        }
    }

    /// Records Swift stored properties that the schema does not name.
    static func walk(_ value: Any, schema: JSONValue, path: String, missing: inout [String]) {
        let mirror = Mirror(reflecting: value)
        switch mirror.displayStyle {
        case .optional:
            if let child = mirror.children.first { walk(child.value, schema: schema, path: path, missing: &missing) }
        case .struct:
            for child in mirror.children {
                guard let label = child.label else { continue }
                let childPath = path.isEmpty ? label : "\(path).\(label)"
                if childPath == "metadata" { continue }
                guard let property = schema["properties"]?[label] else {
                    missing.append(childPath)
                    continue
                }
                walk(child.value, schema: property, path: childPath, missing: &missing)
            }
        case .collection:
            for child in mirror.children {
                walk(child.value, schema: schema["items"] ?? .null, path: path + "[]", missing: &missing)
            }
        default:
            break
        }
    }

    /// Every `enum:` in the schema by field path (`[]` marks list items).
    static func enums(_ schema: JSONValue, path: String, into found: inout [String: [String]]) {
        if case .array(let values)? = schema["enum"] {
            found[path] = values.compactMap(\.stringValue)
        }
        if case .object(let properties)? = schema["properties"] {
            for (name, property) in properties {
                enums(property, path: path.isEmpty ? name : "\(path).\(name)", into: &found)
            }
        }
        if let items = schema["items"] { enums(items, path: path + "[]", into: &found) }
        if let additional = schema["additionalProperties"] { enums(additional, path: path + "{}", into: &found) }
    }

    /// The path of every field without a non-empty `description:` — the schema itself
    /// (`<root>`) and every property at any depth, inside objects, list items (`[]`) and
    /// map values (`{}`) — which is what `kubectl explain` would print as `<no description>`.
    static func undescribed(_ schema: JSONValue, path: String, into missing: inout [String]) {
        if path.isEmpty && !hasDescription(schema) { missing.append("<root>") }
        if case .object(let properties)? = schema["properties"] {
            for (name, property) in properties {
                let childPath = path.isEmpty ? name : "\(path).\(name)"
                if !hasDescription(property) { missing.append(childPath) }
                undescribed(property, path: childPath, into: &missing)
            }
        }
        if let items = schema["items"] { undescribed(items, path: path + "[]", into: &missing) }
        if let additional = schema["additionalProperties"] { undescribed(additional, path: path + "{}", into: &missing) }
    }

    private static func hasDescription(_ schema: JSONValue) -> Bool {
        guard let text = schema["description"]?.stringValue else { return false }
        return !text.allSatisfy(\.isWhitespace)
    }

    /// Structural-schema rules Kubernetes enforces for CRDs.
    static func checkStructural(_ schema: JSONValue, path: String, problems: inout [String]) {
        guard case .object(let members) = schema else { return }
        if members["$ref"] != nil { problems.append("\(path): $ref is not allowed") }
        if members["type"] == nil && members["x-kubernetes-int-or-string"] == nil && members["x-kubernetes-preserve-unknown-fields"] == nil {
            problems.append("\(path): no type")
        }
        if case .array(let keys)? = members["x-kubernetes-list-map-keys"] {
            let required = members["items"]?["required"]
            for key in keys where !(required.map { if case .array(let list) = $0 { list.contains(key) } else { false } } ?? false) {
                problems.append("\(path): list-map key \(key) must be required")
            }
        }
        if case .object(let properties)? = members["properties"] {
            for (name, property) in properties { checkStructural(property, path: "\(path).\(name)", problems: &problems) }
        }
        if let items = members["items"] { checkStructural(items, path: path + "[]", problems: &problems) }
        if let additional = members["additionalProperties"] { checkStructural(additional, path: path + "{}", problems: &problems) }
    }

    /// The first path where two trees differ, for failure messages.
    static func firstDifference(_ a: JSONValue, _ b: JSONValue, path: String = "") -> String? {
        switch (a, b) {
        case (.object(let left), .object(let right)):
            for key in Set(left.keys).union(right.keys).sorted() {
                guard let l = left[key], let r = right[key] else { return "\(path).\(key) present on one side only" }
                if let difference = firstDifference(l, r, path: "\(path).\(key)") { return difference }
            }
            return nil
        case (.array(let left), .array(let right)):
            if left.count != right.count { return "\(path): \(left.count) vs \(right.count) items" }
            for (index, pair) in zip(left, right).enumerated() {
                if let difference = firstDifference(pair.0, pair.1, path: "\(path)[\(index)]") { return difference }
            }
            return nil
        default:
            return a == b ? nil : "\(path): \(a) vs \(b)"
        }
    }
}
