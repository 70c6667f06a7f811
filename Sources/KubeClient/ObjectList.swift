import KubeCore

/// A list response: the items and the collection's `resourceVersion` to watch from.
public struct ObjectList<R: KubeResource>: Decodable, Sendable {
    public var metadata: ListMeta
    public var items: [R]

    public init(metadata: ListMeta, items: [R]) {
        self.metadata = metadata
        self.items = items
    }

    enum CodingKeys: String, CodingKey { case metadata, items }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        metadata = try container.decodeIfPresent(ListMeta.self, forKey: .metadata) ?? ListMeta()
        // The API server leaves out each item's apiVersion and kind (the list's say them):
        // the item is the list's kind, as client-go fills them in.
        items = try (container.decodeIfPresent([JSONValue].self, forKey: .items) ?? []).map { item in
            guard case .object(var members) = item else { return try KubeJSON.decode(R.self, from: item) }
            if members["apiVersion"] == nil { members["apiVersion"] = .string(R.apiVersion) }
            if members["kind"] == nil { members["kind"] = .string(R.kind) }
            return try KubeJSON.decode(R.self, from: .object(members))
        }
    }
}

/// `metav1.ListMeta`.
public struct ListMeta: Codable, Sendable, Hashable {
    public var resourceVersion: String?
    /// Set when more pages follow (`limit`/`continue`).
    public var `continue`: String?

    public init(resourceVersion: String? = nil, continue: String? = nil) {
        self.resourceVersion = resourceVersion
        self.continue = `continue`
    }
}
