/// `networking.k8s.io/v1.Ingress`.
public struct Ingress: KubeResource, Hashable {
    public static let apiVersion = "networking.k8s.io/v1"
    public static let kind = "Ingress"
    public static let plural = "ingresses"

    public var apiVersion = Ingress.apiVersion
    public var kind = Ingress.kind
    public var metadata: ObjectMeta
    public var spec: IngressSpec

    public init(metadata: ObjectMeta, spec: IngressSpec) {
        self.metadata = metadata
        self.spec = spec
    }
}

public struct IngressSpec: Codable, Sendable, Hashable {
    public var ingressClassName: String?
    public var rules: [IngressRule]

    public init(ingressClassName: String?, rules: [IngressRule]) {
        self.ingressClassName = ingressClassName
        self.rules = rules
    }
}

public struct IngressRule: Codable, Sendable, Hashable {
    public var host: String?
    public var http: HTTPIngressRuleValue

    public init(host: String?, http: HTTPIngressRuleValue) {
        self.host = host
        self.http = http
    }
}

public struct HTTPIngressRuleValue: Codable, Sendable, Hashable {
    public var paths: [HTTPIngressPath]

    public init(paths: [HTTPIngressPath]) {
        self.paths = paths
    }
}

public struct HTTPIngressPath: Codable, Sendable, Hashable {
    public var path: String
    /// "Exact", "Prefix" or "ImplementationSpecific".
    public var pathType: String
    public var backend: IngressBackend

    public init(path: String, pathType: String, backend: IngressBackend) {
        self.path = path
        self.pathType = pathType
        self.backend = backend
    }
}

public struct IngressBackend: Codable, Sendable, Hashable {
    public var service: IngressServiceBackend

    public init(service: IngressServiceBackend) {
        self.service = service
    }
}

public struct IngressServiceBackend: Codable, Sendable, Hashable {
    public var name: String
    public var port: ServiceBackendPort

    public init(name: String, port: ServiceBackendPort) {
        self.name = name
        self.port = port
    }
}

public struct ServiceBackendPort: Codable, Sendable, Hashable {
    public var name: String?
    public var number: Int?

    public init(name: String? = nil, number: Int? = nil) {
        self.name = name
        self.number = number
    }
}
