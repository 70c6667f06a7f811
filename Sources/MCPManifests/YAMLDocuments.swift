import KubeCore
import Yams

/// One YAML document of a manifest file, as a JSON tree plus its YAML node for line numbers.
public struct YAMLDocument: Sendable {
    /// 1-based position in the file (empty documents count too).
    public var index: Int
    public var value: JSONValue
    /// The line (1-based, as Yams counts) of every node, by its path.
    var lines: [FieldPath: Int]

    /// The line of the deepest node along `path`, for messages.
    public func line(of path: FieldPath) -> Int? {
        var components = path.components
        while true {
            if let line = lines[FieldPath(components)] { return line }
            if components.isEmpty { return nil }
            components.removeLast()
        }
    }
}

/// Why a YAML text could not be read.
public struct YAMLSyntaxError: Error, Sendable, CustomStringConvertible {
    public var document: Int
    public var line: Int?
    public var message: String

    public var description: String { message }
}

/// Multi-document YAML (or JSON) into JSON trees, with YAML 1.1 scalar typing as
/// Kubernetes' YAML reader applies it. Aliases expand as kubectl expands them, but a
/// document may convert into at most `maxNodes` nodes, so an alias bomb is refused.
public enum YAMLDocuments {
    /// The most nodes one document may convert into.
    public static let maxNodes = 200_000

    /// Parses every document; a syntax error stops at the document it is in.
    public static func parse(_ text: String) -> (documents: [YAMLDocument], error: YAMLSyntaxError?) {
        var documents: [YAMLDocument] = []
        var index = 0
        do {
            let parser = try Parser(yaml: text)
            while let node = try parser.nextRoot() {
                index += 1
                var converter = Converter()
                let value = try converter.convert(node, at: FieldPath())
                documents.append(YAMLDocument(index: index, value: value, lines: converter.lines))
            }
            return (documents, nil)
        } catch let error as YAMLSyntaxError {
            return (documents, YAMLSyntaxError(document: index, line: error.line, message: error.message))
        } catch let error as YamlError {
            return (documents, syntaxError(error, document: index + 1))
        } catch {
            return (documents, YAMLSyntaxError(document: index + 1, line: nil, message: "\(error)"))
        }
    }

    private static func syntaxError(_ error: YamlError, document: Int) -> YAMLSyntaxError {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            return YAMLSyntaxError(document: document, line: mark.line, message: "YAML syntax: \(problem)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            return YAMLSyntaxError(document: document, line: context.mark.line, message: "duplicate keys: \(duplicates.joined(separator: ", "))")
        default:
            return YAMLSyntaxError(document: document, line: nil, message: "YAML: \(error)")
        }
    }

    static func scalarValue(_ scalar: Node.Scalar) throws -> JSONValue {
        switch Tag.Name(rawValue: Node.scalar(scalar).tag.description) {
        case .null:
            return .null
        case .bool:
            if let value = Bool.construct(from: scalar) { return .bool(value) }
        case .int:
            if let value = Int64(scalar.string) { return .int(value) }
            if let value = Int.construct(from: scalar) { return .int(Int64(value)) }
        case .float:
            if let value = Double.construct(from: scalar), value.isFinite { return .double(value) }
            throw YAMLSyntaxError(document: 0, line: scalar.mark.map { $0.line }, message: "\"\(scalar.string)\" is not a JSON number")
        default:
            break
        }
        return .string(scalar.string)
    }
}

/// Converts one document's nodes, counting them and recording their lines.
private struct Converter {
    var lines: [FieldPath: Int] = [:]
    var remaining = YAMLDocuments.maxNodes

    mutating func convert(_ node: Node, at path: FieldPath) throws -> JSONValue {
        remaining -= 1
        let line = node.mark.map { $0.line }
        lines[path] = line
        guard remaining >= 0 else {
            throw YAMLSyntaxError(document: 0, line: line, message: "document has more than \(YAMLDocuments.maxNodes) nodes")
        }
        switch node {
        case .alias(let alias):
            throw YAMLSyntaxError(document: 0, line: line, message: "YAML aliases (*\(alias.anchor)) are not supported in manifests")
        case .scalar(let scalar):
            return try YAMLDocuments.scalarValue(scalar)
        case .sequence(let sequence):
            var items: [JSONValue] = []
            for (index, item) in sequence.enumerated() {
                items.append(try convert(item, at: path.index(index)))
            }
            return .array(items)
        case .mapping(let mapping):
            var members: [String: JSONValue] = [:]
            for (key, value) in mapping {
                guard case .scalar(let keyScalar) = key else {
                    throw YAMLSyntaxError(document: 0, line: key.mark.map { $0.line }, message: "mapping keys must be plain strings")
                }
                if members[keyScalar.string] != nil {
                    throw YAMLSyntaxError(document: 0, line: key.mark.map { $0.line }, message: "duplicate key \"\(keyScalar.string)\"")
                }
                members[keyScalar.string] = try convert(value, at: path.child(keyScalar.string))
            }
            return .object(members)
        }
    }
}
