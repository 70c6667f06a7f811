import Foundation

/// Client-side apply, as `kubectl apply` does it with a JSON merge patch (RFC 7386): the
/// patch that makes `live` carry every field of `desired`, and removes the fields that
/// the last applied intent had and `desired` no longer has. Fields only the server or
/// others set (defaults, `clusterIP`, `status`) are left alone. Pure.
public enum ThreeWayMerge {
    /// The annotation holding the last applied intent, as compact JSON.
    public static let lastAppliedAnnotation = "mcpruntime.org/last-applied"

    /// The merge patch, or nil when `live` already matches: nothing to write.
    public static func patch(lastApplied: JSONValue?, desired: JSONValue, live: JSONValue) -> JSONValue? {
        guard case .object(let wanted) = desired, case .object(let current) = live else {
            return covers(desired, live) && (lastApplied == nil || lastApplied == desired) ? nil : desired
        }
        let previous = lastApplied?.objectValue
        var result: [String: JSONValue] = [:]
        for (key, value) in wanted {
            guard let existing = current[key] else {
                result[key] = value
                continue
            }
            if case .object = value, case .object = existing {
                if let sub = patch(lastApplied: previous?[key], desired: value, live: existing) { result[key] = sub }
            } else if !covers(value, existing) || (previous?[key]).map({ $0 != value }) == true {
                // Lists are replaced whole; a list entry that lost a field is found
                // through the last applied intent, since `covers` ignores extra fields.
                result[key] = value
            }
        }
        for key in previous?.keys ?? [:].keys where wanted[key] == nil && current[key] != nil {
            result[key] = .null
        }
        return result.isEmpty ? nil : .object(result)
    }

    /// True when `live` has everything `desired` has, equal; extra fields (server defaults)
    /// do not count. Numbers compare by value.
    public static func covers(_ desired: JSONValue, _ live: JSONValue) -> Bool {
        switch (desired, live) {
        case (.object(let wanted), .object(let current)):
            return wanted.allSatisfy { key, value in current[key].map { covers(value, $0) } ?? false }
        case (.array(let wanted), .array(let current)):
            return wanted.count == current.count && zip(wanted, current).allSatisfy { covers($0, $1) }
        case (.int(let a), .double(let b)), (.double(let b), .int(let a)):
            return Double(a) == b
        default:
            return desired == live
        }
    }

    /// `object` with its intent recorded in the last-applied annotation.
    public static func annotated(_ object: JSONValue) -> JSONValue {
        guard case .object(var members) = object else { return object }
        var metadata = members["metadata"]?.objectValue ?? [:]
        var annotations = metadata["annotations"]?.objectValue ?? [:]
        annotations[lastAppliedAnnotation] = nil
        metadata["annotations"] = .object(annotations)
        members["metadata"] = .object(metadata)
        let intent = JSONValue.object(members)
        let text = (try? KubeJSON.encode(intent)).flatMap { String(data: $0, encoding: .utf8) } ?? "{}"
        annotations[lastAppliedAnnotation] = .string(text)
        metadata["annotations"] = .object(annotations)
        members["metadata"] = .object(metadata)
        return .object(members)
    }

    /// The intent recorded on a live object, if any.
    public static func lastApplied(of live: JSONValue) -> JSONValue? {
        guard let text = live["metadata"]?["annotations"]?[lastAppliedAnnotation]?.stringValue else { return nil }
        return try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
    }
}
