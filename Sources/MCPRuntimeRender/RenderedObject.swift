import KubeCore

/// One Kubernetes object rendered for a server.
public enum RenderedObject: Sendable, Hashable, Encodable {
    case configMap(ConfigMap)
    case service(Service)
    case deployment(Deployment)
    case networkPolicy(NetworkPolicy)
    case ingress(Ingress)
    case serviceAccount(ServiceAccount)
    case role(Role)
    case roleBinding(RoleBinding)

    public var kind: String {
        switch self {
        case .configMap: ConfigMap.kind
        case .service: Service.kind
        case .deployment: Deployment.kind
        case .networkPolicy: NetworkPolicy.kind
        case .ingress: Ingress.kind
        case .serviceAccount: ServiceAccount.kind
        case .role: Role.kind
        case .roleBinding: RoleBinding.kind
        }
    }

    public var apiVersion: String {
        switch self {
        case .configMap: ConfigMap.apiVersion
        case .service: Service.apiVersion
        case .deployment: Deployment.apiVersion
        case .networkPolicy: NetworkPolicy.apiVersion
        case .ingress: Ingress.apiVersion
        case .serviceAccount: ServiceAccount.apiVersion
        case .role: Role.apiVersion
        case .roleBinding: RoleBinding.apiVersion
        }
    }

    public var metadata: ObjectMeta {
        switch self {
        case .configMap(let object): object.metadata
        case .service(let object): object.metadata
        case .deployment(let object): object.metadata
        case .networkPolicy(let object): object.metadata
        case .ingress(let object): object.metadata
        case .serviceAccount(let object): object.metadata
        case .role(let object): object.metadata
        case .roleBinding(let object): object.metadata
        }
    }

    /// `Kind/name`, e.g. `Deployment/weather-proxy`.
    public var reference: String { "\(kind)/\(metadata.name ?? "")" }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .configMap(let object): try object.encode(to: encoder)
        case .service(let object): try object.encode(to: encoder)
        case .deployment(let object): try object.encode(to: encoder)
        case .networkPolicy(let object): try object.encode(to: encoder)
        case .ingress(let object): try object.encode(to: encoder)
        case .serviceAccount(let object): try object.encode(to: encoder)
        case .role(let object): try object.encode(to: encoder)
        case .roleBinding(let object): try object.encode(to: encoder)
        }
    }
}
