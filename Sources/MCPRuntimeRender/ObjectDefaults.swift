import KubeCore
import MCPProxyConfig
import MCPRuntimeAPI

/// Defaults of the rendered workloads that no field of the API names.
enum ObjectDefaults {
    static let serverRequests = ResourceList(cpu: "50m", memory: "64Mi")
    static let serverLimits = ResourceList(cpu: "500m", memory: "256Mi")
    static let proxyRequests = ResourceList(cpu: "50m", memory: "32Mi")
    static let proxyLimits = ResourceList(cpu: "1", memory: "128Mi")
    static let proxyAdminPort = 9090
    /// Above mcp-proxy's default --shutdown-grace of 20 s: streams end and requests finish before the kubelet kills it.
    static let proxyTerminationGraceSeconds = 30
    static let proxyConfigDirectory = "/etc/mcp-proxy"
    static let proxyConfigKey = ProxyConfig.configMapKey
    /// The UID and GID of the proxy's distroless-style image.
    static let proxyUser = 65532

    /// Spec quantities over the defaults, field by field.
    static func requirements(_ spec: ComputeResources?, requests: ResourceList, limits: ResourceList) -> ResourceRequirements {
        func list(_ given: ResourceList?, _ fallback: ResourceList) -> [String: String] {
            var result: [String: String] = [:]
            result["cpu"] = given?.cpu ?? fallback.cpu
            result["memory"] = given?.memory ?? fallback.memory
            return result
        }
        return ResourceRequirements(limits: list(spec?.limits, limits), requests: list(spec?.requests, requests))
    }

    /// The owner reference to the `MCPServer`, when its uid is known (always in a cluster).
    static func ownerReferences(_ server: ResolvedServer) -> [OwnerReference]? {
        server.uid.map { [OwnerReference(apiVersion: MCPServer.apiVersion, kind: MCPServer.kind, name: server.name, uid: $0)] }
    }

    static func metadata(_ name: String, _ server: ResolvedServer, labels: [String: String], annotations: [String: String]? = nil) -> ObjectMeta {
        ObjectMeta(name: name, namespace: server.namespace, labels: labels, annotations: annotations, ownerReferences: ownerReferences(server))
    }
}
