/// `v1.Service`.
public struct Service: KubeResource, Hashable {
    public static let apiVersion = "v1"
    public static let kind = "Service"
    public static let plural = "services"

    public var apiVersion = Service.apiVersion
    public var kind = Service.kind
    public var metadata: ObjectMeta
    public var spec: ServiceSpec

    public init(metadata: ObjectMeta, spec: ServiceSpec) {
        self.metadata = metadata
        self.spec = spec
    }
}

public struct ServiceSpec: Codable, Sendable, Hashable {
    public var type: String?
    public var selector: [String: String]?
    public var ports: [ServicePort]

    public init(type: String? = "ClusterIP", selector: [String: String], ports: [ServicePort]) {
        self.type = type
        self.selector = selector
        self.ports = ports
    }

    /// ExternalName and headless Services may carry no ports at all.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        type = try container.decodeIfPresent(String.self, forKey: .type)
        selector = try container.decodeIfPresent([String: String].self, forKey: .selector)
        ports = try container.decodeIfPresent([ServicePort].self, forKey: .ports) ?? []
    }
}

public struct ServicePort: Codable, Sendable, Hashable {
    public var name: String?
    public var port: Int
    public var targetPort: IntOrString?
    public var `protocol`: String?
    public var appProtocol: String?

    public init(name: String?, port: Int, targetPort: IntOrString?, protocol: String? = "TCP", appProtocol: String? = nil) {
        self.name = name
        self.port = port
        self.targetPort = targetPort
        self.protocol = `protocol`
        self.appProtocol = appProtocol
    }
}
