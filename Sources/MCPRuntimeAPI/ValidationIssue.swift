import KubeCore

/// One problem found in a resource: where, what, and how to fix it.
public struct ValidationIssue: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Severity: String, Sendable {
        /// The resource cannot be used as written.
        case error
        /// The resource works, but something in it is ignored or surprising.
        case warning
    }

    /// What kind of problem, in the vocabulary of Kubernetes field errors.
    public enum Reason: String, Sendable {
        case required, invalid, notSupported, duplicate, tooLong, forbidden, unknownField
        /// OAuth mode without any resource URI to bind tokens to: the proxy fails closed.
        case unresolvableAudience
    }

    public var severity: Severity
    public var reason: Reason
    public var path: FieldPath
    public var message: String
    public var hint: String?

    public init(_ severity: Severity = .error, _ reason: Reason, _ path: FieldPath, _ message: String, hint: String? = nil) {
        self.severity = severity
        self.reason = reason
        self.path = path
        self.message = message
        self.hint = hint
    }

    public var description: String {
        var text = "\(path): \(message)"
        if let hint { text += " (hint: \(hint))" }
        return text
    }
}

/// Collects issues while a validator walks a resource.
public struct IssueList: Sendable {
    public private(set) var items: [ValidationIssue] = []

    public init() {}

    public var errors: [ValidationIssue] { items.filter { $0.severity == .error } }
    public var warnings: [ValidationIssue] { items.filter { $0.severity == .warning } }

    public mutating func add(_ issue: ValidationIssue) { items.append(issue) }
    public mutating func add(contentsOf issues: [ValidationIssue]) { items.append(contentsOf: issues) }

    public mutating func required(_ path: FieldPath, _ message: String, hint: String? = nil) {
        add(ValidationIssue(.error, .required, path, message, hint: hint))
    }

    public mutating func invalid(_ path: FieldPath, _ message: String, hint: String? = nil) {
        add(ValidationIssue(.error, .invalid, path, message, hint: hint))
    }

    public mutating func forbidden(_ path: FieldPath, _ message: String, hint: String? = nil) {
        add(ValidationIssue(.error, .forbidden, path, message, hint: hint))
    }

    public mutating func warn(_ path: FieldPath, _ message: String, hint: String? = nil) {
        add(ValidationIssue(.warning, .invalid, path, message, hint: hint))
    }

    /// Checks an optional enum-valued field; returns the parsed value when valid.
    @discardableResult
    public mutating func choice<E: APIEnum>(_ value: String?, as type: E.Type, at path: FieldPath) -> E? {
        guard let value else { return nil }
        if let parsed = E(rawValue: value) { return parsed }
        add(ValidationIssue(
            .error, .notSupported, path,
            "unsupported value \"\(value)\"",
            hint: "use one of: \(E.allowedValues.joined(separator: ", "))"
        ))
        return nil
    }

    /// Reports duplicate values of a list field.
    public mutating func unique(_ values: [String?], at path: FieldPath, field: String? = nil, what: String) {
        var seen: Set<String> = []
        for (index, value) in values.enumerated() {
            guard let value else { continue }
            if !seen.insert(value).inserted {
                let itemPath = field.map { path.index(index).child($0) } ?? path.index(index)
                add(ValidationIssue(.error, .duplicate, itemPath, "duplicate \(what) \"\(value)\"", hint: "each \(what) may appear only once"))
            }
        }
    }
}

extension IssueList {
    /// Checks a Secret key reference; returns it when complete and valid.
    public mutating func secretRef(_ ref: SecretKeyRef?, at path: FieldPath, required: Bool = true) -> SecretRef? {
        guard let ref else {
            if required { self.required(path, "a Secret reference {name, key} is required") }
            return nil
        }
        let name = ref.name ?? "", key = ref.key ?? ""
        if name.isEmpty {
            self.required(path.child("name"), "the Secret's name is required")
        } else if !Syntax.isDNS1123Subdomain(name) {
            invalid(path.child("name"), "\"\(name)\" is not a valid Secret name")
        }
        if key.isEmpty {
            self.required(path.child("key"), "the key within the Secret is required")
        }
        guard !key.isEmpty, Syntax.isDNS1123Subdomain(name) else { return nil }
        return SecretRef(name: name, key: key)
    }
}
