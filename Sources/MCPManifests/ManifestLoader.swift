import Foundation
import KubeCore
import MCPRuntimeAPI

/// Where a manifest document came from.
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    /// 1-based document index within the file.
    public var document: Int
    /// 1-based line, when known.
    public var line: Int?

    public var description: String {
        "\(file): document \(document)" + (line.map { ", line \($0)" } ?? "")
    }
}

/// One problem in a manifest, located precisely enough to fix it.
public struct ManifestDiagnostic: Sendable, CustomStringConvertible {
    public var location: SourceLocation
    /// E.g. `MCPServer default/weather`, when the document got that far.
    public var object: String?
    public var issue: ValidationIssue

    public init(location: SourceLocation, object: String?, issue: ValidationIssue) {
        self.location = location
        self.object = object
        self.issue = issue
    }

    public var description: String {
        var text = "\(issue.severity.rawValue): \(location)"
        if let object { text += " (\(object))" }
        text += ": \(issue.path): \(issue.message)"
        if let hint = issue.hint { text += "\n  hint: \(hint)" }
        return text
    }
}

/// A decoded resource of one of the project's kinds.
public enum ManifestObject: Sendable {
    case server(MCPServer)
    case grant(MCPAccessGrant)
    case session(MCPAgentSession)
}

public struct LoadedObject: Sendable {
    public var location: SourceLocation
    public var document: YAMLDocument
    public var object: ManifestObject
    /// E.g. `MCPServer default/weather`.
    public var label: String
}

/// The objects and diagnostics of one or more manifest files.
public struct ManifestSet: Sendable {
    public var objects: [LoadedObject] = []
    public var diagnostics: [ManifestDiagnostic] = []
    /// Core-group documents read past (`ManifestLoader.isCoreDocument`), e.g.
    /// `Namespace team-a`, `Secret team-a/weather-api`.
    public var skipped: [String] = []

    public init() {}

    public var errors: [ManifestDiagnostic] { diagnostics.filter { $0.issue.severity == .error } }

    public mutating func append(contentsOf other: ManifestSet) {
        objects += other.objects
        diagnostics += other.diagnostics
        skipped += other.skipped
    }
}

/// Reads manifests the way `kubectl apply` would: multi-document YAML or JSON, known
/// kinds only, strict types, unknown fields refused. Documents of the core API group
/// (`apiVersion: v1`) are skipped: see `isCoreDocument`.
public enum ManifestLoader {
    /// The kinds mcp-runtime reads.
    public static let kinds = [MCPServer.kind, MCPAccessGrant.kind, MCPAgentSession.kind]

    /// A document of the core API group (`apiVersion: v1`) of a kind other than the
    /// project's: a Namespace, a Secret, a ConfigMap, which `kubectl apply -f DIR` creates
    /// beside the MCP objects (the namespaces they live in, the Secrets servers refer to).
    /// Nothing is rendered from it, so it is skipped without a diagnostic. Every other
    /// document must be one of `kinds` of mcpruntime.org/v1alpha1: a Deployment, a typo in
    /// a kind or an `MCPServer` of `v1` is still an error.
    public static func isCoreDocument(_ value: JSONValue) -> Bool {
        guard value["apiVersion"]?.stringValue == "v1", let kind = value["kind"]?.stringValue, !kind.isEmpty else { return false }
        return !kinds.contains(kind)
    }

    public static func load(text: String, file: String, defaultNamespace: String = "default") -> ManifestSet {
        var set = ManifestSet()
        let (documents, syntaxError) = YAMLDocuments.parse(text)
        for document in documents where document.value != .null {
            if isCoreDocument(document.value) {
                let name = document.value["metadata"]?["name"]?.stringValue ?? "<unnamed>"
                let namespace = document.value["metadata"]?["namespace"]?.stringValue
                set.skipped.append("\(document.value["kind"]?.stringValue ?? "") \(namespace.map { "\($0)/" } ?? "")\(name)")
                continue
            }
            switch decode(document, file: file, defaultNamespace: defaultNamespace) {
            case .success(let decoded):
                set.objects.append(decoded.object)
                set.diagnostics += decoded.diagnostics
            case .failure(let failure): set.diagnostics += failure.diagnostics
            }
        }
        if let syntaxError {
            set.diagnostics.append(ManifestDiagnostic(
                location: SourceLocation(file: file, document: max(syntaxError.document, 1), line: syntaxError.line),
                object: nil,
                issue: ValidationIssue(.error, .invalid, FieldPath(), syntaxError.message, hint: "fix the YAML; `kubectl apply --dry-run=client -f FILE` shows the same problem")
            ))
        }
        return set
    }

    struct Decoded {
        var object: LoadedObject
        var diagnostics: [ManifestDiagnostic]
    }

    struct Failure: Error {
        var diagnostics: [ManifestDiagnostic]
    }

    static func decode(_ document: YAMLDocument, file: String, defaultNamespace: String) -> Result<Decoded, Failure> {
        let value = document.value
        func failure(_ path: FieldPath, _ reason: ValidationIssue.Reason, _ message: String, hint: String? = nil, object: String? = nil) -> Result<Decoded, Failure> {
            .failure(Failure(diagnostics: [ManifestDiagnostic(
                location: SourceLocation(file: file, document: document.index, line: document.line(of: path)),
                object: object, issue: ValidationIssue(.error, reason, path, message, hint: hint)
            )]))
        }
        guard value.objectValue != nil else {
            return failure(FieldPath(), .invalid, "a manifest document must be a mapping with apiVersion, kind, metadata and spec, not a \(value.typeName)")
        }
        guard let kind = value["kind"]?.stringValue, !kind.isEmpty else {
            return failure(FieldPath("kind"), .required, "kind is required", hint: "use MCPServer, MCPAccessGrant or MCPAgentSession")
        }
        let apiVersion = value["apiVersion"]?.stringValue ?? ""
        guard kinds.contains(kind) else {
            return failure(FieldPath("kind"), .notSupported, "unknown kind \"\(kind)\"", hint: "mcp-runtime reads \(kinds.joined(separator: ", ")) of \(MCPRuntimeGroup.apiVersion), and skips documents of apiVersion v1 (Namespaces, Secrets, ...)")
        }
        guard apiVersion == MCPRuntimeGroup.apiVersion else {
            return failure(FieldPath("apiVersion"), .notSupported, "\(kind) is served as \(MCPRuntimeGroup.apiVersion), not \"\(apiVersion)\"", hint: "set apiVersion: \(MCPRuntimeGroup.apiVersion)")
        }
        let name = value["metadata"]?["name"]?.stringValue ?? "<unnamed>"
        let namespace = value["metadata"]?["namespace"]?.stringValue ?? defaultNamespace
        let label = "\(kind) \(namespace)/\(name)"

        do {
            let object: ManifestObject
            let typed: Any
            let known: JSONValue
            switch kind {
            case MCPServer.kind:
                var server = try KubeJSON.decode(MCPServer.self, from: value)
                known = try KubeJSON.tree(server)
                server.metadata.namespace = namespace
                (object, typed) = (.server(server), server)
            case MCPAccessGrant.kind:
                var grant = try KubeJSON.decode(MCPAccessGrant.self, from: value)
                known = try KubeJSON.tree(grant)
                grant.metadata.namespace = namespace
                (object, typed) = (.grant(grant), grant)
            default:
                var session = try KubeJSON.decode(MCPAgentSession.self, from: value)
                known = try KubeJSON.tree(session)
                session.metadata.namespace = namespace
                (object, typed) = (.session(session), session)
            }
            // Unknown fields are errors, but the object still goes on to validation so
            // that every problem of the document is reported at once.
            let unknown = StrictFields.unknown(input: value, known: known, typed: typed).map { field in
                ManifestDiagnostic(
                    location: SourceLocation(file: file, document: document.index, line: document.line(of: field.path)),
                    object: label,
                    issue: ValidationIssue(.error, .unknownField, field.path, "unknown field",
                                           hint: field.suggestion.map { "did you mean \"\($0)\"?" } ?? "remove it; `kubectl explain \(kind.lowercased()).spec` lists the fields")
                )
            }
            let location = SourceLocation(file: file, document: document.index, line: document.line(of: FieldPath()))
            return .success(Decoded(object: LoadedObject(location: location, document: document, object: object, label: label), diagnostics: unknown))
        } catch let error as DecodingError {
            let (path, message) = describe(error)
            return failure(path, .invalid, message, object: label)
        } catch {
            return failure(FieldPath(), .invalid, "\(error)", object: label)
        }
    }

    /// A field path and a plain message for a decoding failure.
    static func describe(_ error: DecodingError) -> (FieldPath, String) {
        switch error {
        case .typeMismatch(let type, let context):
            return (FieldPath(codingPath: context.codingPath), "expected \(jsonTypeName(type))")
        case .valueNotFound(let type, let context):
            return (FieldPath(codingPath: context.codingPath), "expected \(jsonTypeName(type)), found null")
        case .keyNotFound(let key, let context):
            return (FieldPath(codingPath: context.codingPath + [key]), "required field is missing")
        case .dataCorrupted(let context):
            return (FieldPath(codingPath: context.codingPath), context.debugDescription)
        @unknown default:
            return (FieldPath(), "\(error)")
        }
    }

    private static func jsonTypeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Bool.Type: "a boolean"
        case is Int.Type, is Int64.Type, is Int32.Type: "an integer"
        case is Double.Type: "a number"
        default:
            String(describing: type).hasPrefix("Array") ? "a list" : "an object"
        }
    }
}
