import KubeCore

/// `spec.bindings`, resolved: the namespaces whose grants and sessions a server accepts
/// besides its own. The consent lives on the server, as Gateway API's
/// `allowedRoutes.namespaces` does on a Gateway's listener: whoever may create a grant in
/// their own namespace cannot bind it to another team's server unless that server names
/// them.
public enum BindingAdmission: Sendable, Hashable {
    /// `from: Same`, the default: its own namespace only.
    case sameNamespace
    /// `from: All`: every namespace.
    case allNamespaces
    /// `from: Selector`: the namespaces named, and those whose labels `selector` matches.
    case selected(names: [String], selector: LabelSelector?)
}

/// The labels of the namespaces the operator knows, by name. A namespace absent here has
/// unknown labels: no selector matches it (fail closed).
public struct NamespaceLabels: Sendable, Hashable {
    public var labels: [String: [String: String]]

    public init(_ labels: [String: [String: String]] = [:]) {
        self.labels = labels
    }

    public subscript(namespace: String) -> [String: String]? { labels[namespace] }
}

/// Whether a server accepts one grant or session.
public enum AdmissionDecision: Sendable, Hashable {
    case admitted
    /// Why not, in words a status message can carry.
    case refused(String)
}

/// One server's consent as it stands now: its `spec.bindings` and the labels of the
/// namespaces bindings come from. Pure.
public struct BindingConsent: Sendable, Hashable {
    public var server: ServerKey
    public var admission: BindingAdmission
    public var namespaces: NamespaceLabels

    public init(server: ServerKey, admission: BindingAdmission, namespaces: NamespaceLabels = NamespaceLabels()) {
        self.server = server
        self.admission = admission
        self.namespaces = namespaces
    }

    /// Whether a grant or session in `namespace` binds to the server.
    public func decide(_ namespace: String) -> AdmissionDecision {
        if namespace == server.namespace { return .admitted }
        switch admission {
        case .sameNamespace:
            return .refused("it accepts grants and sessions from its own namespace \(server.namespace) only (spec.bindings.from: Same, the default)")
        case .allNamespaces:
            return .admitted
        case .selected(let names, let selector):
            if names.contains(namespace) { return .admitted }
            let unlisted = names.isEmpty ? nil : "namespace \(namespace) is not in its spec.bindings.namespaces"
            guard let selector else { return .refused(unlisted ?? "namespace \(namespace) is not admitted by its spec.bindings") }
            let prefix = unlisted.map { $0 + ", and " } ?? ""
            guard let labels = namespaces[namespace] else {
                return .refused(prefix + "the labels of namespace \(namespace) are unknown (no such Namespace, or the operator does not watch Namespaces), so its spec.bindings.namespaceSelector matches nothing there")
            }
            if selector.matches(labels) { return .admitted }
            return .refused(prefix + "the labels of namespace \(namespace) do not match its spec.bindings.namespaceSelector")
        }
    }
}

extension MCPServer {
    /// What `spec.bindings` admits, resolved on its own, so that it also holds for a server
    /// whose spec is otherwise invalid (its last valid config is narrowed by it). When
    /// `spec.bindings` itself is invalid, only the server's own namespace (fail closed).
    /// `resolve()` reports the section's issues.
    public func bindingAdmission() -> BindingAdmission {
        var resolver = ServerResolver(server: self)
        let admission = resolver.resolveBindings()
        return resolver.issues.errors.isEmpty ? admission : .sameNamespace
    }

    /// This server's consent, given the labels of the namespaces bindings come from.
    public func bindingConsent(namespaces: NamespaceLabels = NamespaceLabels()) -> BindingConsent {
        BindingConsent(server: ServerKey(namespace: metadata.namespace ?? "default", name: metadata.name ?? ""), admission: bindingAdmission(), namespaces: namespaces)
    }
}
