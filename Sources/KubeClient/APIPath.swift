import KubeCore

/// The REST path of a resource type: `/api/v1/…` for the core group, `/apis/GROUP/VERSION/…`
/// otherwise; namespaced unless `namespace` is nil (all namespaces).
enum APIPath {
    static func collection<R: KubeResource>(_: R.Type, namespace: String?) -> String {
        let root = R.apiVersion.contains("/") ? "/apis/\(R.apiVersion)" : "/api/\(R.apiVersion)"
        guard let namespace else { return "\(root)/\(R.plural)" }
        return "\(root)/namespaces/\(segment(namespace))/\(R.plural)"
    }

    static func object<R: KubeResource>(_ type: R.Type, namespace: String, name: String, subresource: String? = nil) -> String {
        collection(type, namespace: namespace) + "/\(segment(name))" + (subresource.map { "/\($0)" } ?? "")
    }

    /// Object names are DNS labels or subdomains, but never trust that in a URL.
    static func segment(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/", "?", "#", "%"])) ?? text
    }
}
