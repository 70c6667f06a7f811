import KubeCore

extension ServerResolver {
    static let anyPodTrusted =
        "header mode without spec.auth.trustedSources trusts identity headers from every pod that can reach the proxy"
    static let anyPodTrustedHint =
        "name the pods that set the identity headers (your SSO gateway or ingress controller) in spec.auth.trustedSources; the proxy's NetworkPolicy then admits only them"

    /// Checks `auth.trustedSources`: in header mode, who may reach the proxy (and so send
    /// it identity headers). Outside header mode they are ignored.
    mutating func resolveTrustedSources(_ sources: [TrustedSource]?, mode: AuthMode?, at path: FieldPath) -> [ResolvedTrustedSource] {
        let sources = sources ?? []
        guard mode == .header else {
            if !sources.isEmpty { issues.warn(path, "ignored because spec.auth.mode is not header: only header mode takes identity from headers") }
            return []
        }
        if sources.isEmpty { issues.warn(path, Self.anyPodTrusted, hint: Self.anyPodTrustedHint) }
        var resolved: [ResolvedTrustedSource] = []
        for (index, source) in sources.enumerated() {
            let item = path.index(index)
            guard source.namespaceSelector != nil || source.podSelector != nil else {
                issues.required(item, "a trusted source needs a podSelector, a namespaceSelector or both", hint: "a podSelector alone selects pods in the server's namespace")
                continue
            }
            if let selector = source.namespaceSelector { issues.labelSelector(selector, at: item.child("namespaceSelector")) }
            if let selector = source.podSelector { issues.labelSelector(selector, at: item.child("podSelector")) }
            if source.namespaceSelector?.isEmpty == true, source.podSelector?.isEmpty ?? true {
                issues.forbidden(item.child("namespaceSelector"), "an empty namespaceSelector without a podSelector admits every pod in the cluster", hint: "add a podSelector for the pods that set the identity headers, or select their namespace by label")
                continue
            }
            resolved.append(ResolvedTrustedSource(namespaceSelector: source.namespaceSelector, podSelector: source.podSelector))
        }
        return resolved
    }
}
