import Foundation

/// The one JSON configuration used for Kubernetes objects everywhere in the project:
/// sorted keys (deterministic bytes), no escaped slashes.
public enum KubeJSON {
    /// An encoder with sorted keys and unescaped slashes.
    public static func encoder(pretty: Bool = false) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty
            ? [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted]
            : [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// Encodes a value to deterministic JSON bytes.
    public static func encode<T: Encodable>(_ value: T, pretty: Bool = false) throws -> Data {
        try encoder(pretty: pretty).encode(value)
    }

    /// Converts any encodable value into a `JSONValue` tree.
    public static func tree<T: Encodable>(_ value: T) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: encode(value))
    }

    /// Decodes a typed value from a `JSONValue` tree with JSON's strict typing.
    public static func decode<T: Decodable>(_ type: T.Type, from tree: JSONValue) throws -> T {
        try JSONDecoder().decode(type, from: encode(tree))
    }
}
