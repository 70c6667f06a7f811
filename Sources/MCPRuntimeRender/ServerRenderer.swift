import KubeCore
import MCPProxyConfig
import MCPRuntimeAPI

/// Everything rendered for one server.
public struct RenderedServer: Sendable, Hashable {
    public var server: ServerKey
    public var proxyConfig: ProxyConfig
    /// In apply order: configuration, then workloads, then exposure.
    public var objects: [RenderedObject]
}

/// Renders one resolved server with the grants and sessions bound to it. Pure and
/// deterministic: the same input renders byte-identical output.
public enum ServerRenderer {
    public static func render(
        _ server: ResolvedServer, grants: [ResolvedGrant], sessions: [ResolvedAgentSession], options: RenderOptions = RenderOptions()
    ) -> RenderedServer {
        let names = ServerNames(server: server.name, namespace: server.namespace)
        var mounts = SecretMounts()
        let config = ProxyConfigRenderer.render(server: server, grants: grants, sessions: sessions, options: options, mounts: &mounts)

        var objects: [RenderedObject] = []
        if server.gateway.enabled {
            objects.append(.configMap(ProxyWorkloadRenderer.configMap(config, server: server, names: names)))
            objects += ProxyAccessRenderer.render(server, names: names)
        }
        objects.append(.service(ServerWorkloadRenderer.service(server, names: names)))
        objects.append(.deployment(ServerWorkloadRenderer.deployment(server, names: names)))
        if server.gateway.enabled {
            objects.append(.deployment(ProxyWorkloadRenderer.deployment(server, names: names, mounts: mounts, options: options)))
            objects.append(.networkPolicy(NetworkPolicyRenderer.render(server, names: names)))
            if let policy = NetworkPolicyRenderer.proxy(server, names: names) { objects.append(.networkPolicy(policy)) }
        }
        objects.append(.service(ProxyWorkloadRenderer.publicService(server, names: names)))
        if let ingress = server.ingress {
            objects.append(.ingress(IngressRenderer.render(server, settings: ingress, names: names)))
        }
        return RenderedServer(server: ServerKey(namespace: server.namespace, name: server.name), proxyConfig: config, objects: objects)
    }
}
