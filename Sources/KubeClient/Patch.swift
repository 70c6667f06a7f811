import Foundation
import KubeCore

/// The three patch kinds of the API, each with its content type.
public enum Patch: Sendable, Hashable {
    /// RFC 7386 JSON merge patch.
    case merge(JSONValue)
    /// RFC 6902 JSON patch operations.
    case json([JSONValue])
    /// Server-side apply of a whole intent, owned by `fieldManager`.
    case apply(JSONValue, fieldManager: String, force: Bool)

    var contentType: String {
        switch self {
        case .merge: "application/merge-patch+json"
        case .json: "application/json-patch+json"
        // JSON is YAML: the apply body can be sent as JSON.
        case .apply: "application/apply-patch+yaml"
        }
    }

    var query: [(String, String)] {
        if case .apply(_, let manager, let force) = self { return [("fieldManager", manager), ("force", force ? "true" : "false")] }
        return []
    }

    func body() throws -> Data {
        switch self {
        case .merge(let value), .apply(let value, _, _): try KubeJSON.encode(value)
        case .json(let operations): try KubeJSON.encode(operations)
        }
    }
}
