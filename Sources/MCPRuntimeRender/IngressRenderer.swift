import KubeCore
import MCPRuntimeAPI

/// Routes the canonical path and, in oauth mode, its Protected Resource Metadata path
/// (exact matches only) to the public Service.
enum IngressRenderer {
    static func render(_ server: ResolvedServer, settings: IngressSettings, names: ServerNames) -> Ingress {
        let backend = IngressBackend(service: IngressServiceBackend(name: names.publicService, port: ServiceBackendPort(number: server.servicePort)))
        var paths = [HTTPIngressPath(path: server.requestPath, pathType: "Exact", backend: backend)]
        if server.auth.mode == .oauth, let resource = server.resource {
            paths.append(HTTPIngressPath(path: resource.metadataPath, pathType: "Exact", backend: backend))
        }
        return Ingress(
            metadata: ObjectDefaults.metadata(
                names.ingress, server, labels: names.common,
                annotations: settings.annotations.isEmpty ? nil : settings.annotations
            ),
            spec: IngressSpec(
                ingressClassName: settings.className,
                rules: [IngressRule(host: settings.host, http: HTTPIngressRuleValue(paths: paths))]
            )
        )
    }
}
