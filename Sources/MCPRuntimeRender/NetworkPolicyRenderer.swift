import KubeCore
import MCPRuntimeAPI

/// Seals the MCP server: only the proxy's pods may reach it, so nobody bypasses
/// authentication and governance by calling the server's pods directly.
enum NetworkPolicyRenderer {
    static func render(_ server: ResolvedServer, names: ServerNames) -> NetworkPolicy {
        NetworkPolicy(
            metadata: ObjectDefaults.metadata(names.networkPolicy, server, labels: names.serverLabels),
            spec: NetworkPolicySpec(
                podSelector: LabelSelector(matchLabels: names.serverSelector),
                policyTypes: ["Ingress"],
                ingress: [NetworkPolicyIngressRule(
                    from: [NetworkPolicyPeer(podSelector: LabelSelector(matchLabels: names.proxySelector))],
                    ports: [NetworkPolicyPort(port: .int(server.port))]
                )]
            )
        )
    }
}
