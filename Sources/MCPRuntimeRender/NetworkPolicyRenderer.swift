import KubeCore
import MCPRuntimeAPI

/// Seals the MCP server: only the proxy's pods may reach it, so nobody bypasses
/// authentication and governance by calling the server's pods directly. In header mode
/// with `auth.trustedSources`, seals the proxy too: only those sources reach its port, so
/// no other pod can hand it identity headers.
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

    /// The proxy's policy: its port for the trusted sources only; its admin port (health,
    /// readiness, metrics; it serves no MCP traffic and reads no identity) for any source,
    /// so that kubelet probes and metrics scrapers keep working. Nil outside header mode
    /// or without trusted sources: then nothing restricts who reaches the proxy.
    static func proxy(_ server: ResolvedServer, names: ServerNames) -> NetworkPolicy? {
        guard server.auth.mode == .header, !server.auth.trustedSources.isEmpty else { return nil }
        let sources = server.auth.trustedSources.map { NetworkPolicyPeer(podSelector: $0.podSelector, namespaceSelector: $0.namespaceSelector) }
        return NetworkPolicy(
            metadata: ObjectDefaults.metadata(names.proxyNetworkPolicy, server, labels: names.proxyLabels),
            spec: NetworkPolicySpec(
                podSelector: LabelSelector(matchLabels: names.proxySelector),
                policyTypes: ["Ingress"],
                ingress: [
                    NetworkPolicyIngressRule(from: sources, ports: [NetworkPolicyPort(port: .int(server.gateway.port))]),
                    NetworkPolicyIngressRule(from: nil, ports: [NetworkPolicyPort(port: .int(ObjectDefaults.proxyAdminPort))]),
                ]
            )
        )
    }
}
