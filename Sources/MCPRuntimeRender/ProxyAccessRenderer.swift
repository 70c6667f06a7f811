import KubeCore
import MCPRuntimeAPI

/// The proxy's identity in the API: a ServiceAccount whose Role allows reading and
/// watching exactly its own ConfigMap (by `resourceNames`), so that a config change
/// (a revocation) is seen as a watch event rather than after a volume refresh.
enum ProxyAccessRenderer {
    static func render(_ server: ResolvedServer, names: ServerNames) -> [RenderedObject] {
        let metadata = ObjectDefaults.metadata(names.proxyAccount, server, labels: names.proxyLabels)
        return [
            .serviceAccount(ServiceAccount(metadata: metadata, automountServiceAccountToken: false)),
            .role(Role(metadata: metadata, rules: [
                PolicyRule(apiGroups: [""], resources: ["configmaps"], resourceNames: [names.proxyConfigMap], verbs: ["get", "list", "watch"]),
            ])),
            .roleBinding(RoleBinding(metadata: metadata, roleRef: RoleRef(name: names.proxyAccount), subjects: [
                RBACSubject(name: names.proxyAccount, namespace: server.namespace),
            ])),
        ]
    }
}
