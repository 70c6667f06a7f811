import KubeCore

extension ServerResolver {
    /// Checks `spec.bindings` and resolves what it admits.
    mutating func resolveBindings() -> BindingAdmission {
        let path = Self.spec.child("bindings")
        guard let bindings = spec.bindings else { return .sameNamespace }
        let from = issues.choice(bindings.from, as: BindingsFrom.self, at: path.child("from"))

        let listed = bindings.namespaces ?? []
        var names: [String] = []
        for (index, name) in listed.enumerated() {
            if Syntax.isDNS1123Label(name) {
                names.append(name)
            } else {
                issues.invalid(path.child("namespaces").index(index), "\"\(name)\" is not a namespace name", hint: "namespace names are lowercase RFC 1123 labels of at most 63 characters")
            }
        }
        issues.unique(listed, at: path.child("namespaces"), what: "namespace")
        if let selector = bindings.namespaceSelector {
            let selectorPath = path.child("namespaceSelector")
            issues.labelSelector(selector, at: selectorPath)
            if selector.isEmpty {
                issues.invalid(selectorPath, "an empty selector matches every namespace", hint: "set spec.bindings.from: All to accept every namespace, or give matchLabels or matchExpressions")
            }
        }

        switch from {
        case .selector?:
            if listed.isEmpty && bindings.namespaceSelector == nil {
                issues.required(path, "from: Selector needs spec.bindings.namespaces or spec.bindings.namespaceSelector", hint: "name the namespaces whose grants and sessions this server accepts")
            }
            return .selected(names: names, selector: bindings.namespaceSelector)
        case .same?, .all?:
            for (field, isSet) in [("namespaces", !listed.isEmpty), ("namespaceSelector", bindings.namespaceSelector != nil)] where isSet {
                issues.invalid(path.child(field), "used only with spec.bindings.from: Selector, and from is \(from?.rawValue ?? "")", hint: "set spec.bindings.from: Selector, or remove spec.bindings.\(field)")
            }
            return from == .all ? .allNamespaces : .sameNamespace
        case nil:
            return .sameNamespace
        }
    }
}
