/// `networking.k8s.io/v1.NetworkPolicy`.
public struct NetworkPolicy: KubeResource, Hashable {
    public static let apiVersion = "networking.k8s.io/v1"
    public static let kind = "NetworkPolicy"
    public static let plural = "networkpolicies"

    public var apiVersion = NetworkPolicy.apiVersion
    public var kind = NetworkPolicy.kind
    public var metadata: ObjectMeta
    public var spec: NetworkPolicySpec

    public init(metadata: ObjectMeta, spec: NetworkPolicySpec) {
        self.metadata = metadata
        self.spec = spec
    }
}

public struct NetworkPolicySpec: Codable, Sendable, Hashable {
    public var podSelector: LabelSelector
    public var policyTypes: [String]
    public var ingress: [NetworkPolicyIngressRule]?

    public init(podSelector: LabelSelector, policyTypes: [String], ingress: [NetworkPolicyIngressRule]?) {
        self.podSelector = podSelector
        self.policyTypes = policyTypes
        self.ingress = ingress
    }
}

public struct NetworkPolicyIngressRule: Codable, Sendable, Hashable {
    public var from: [NetworkPolicyPeer]?
    public var ports: [NetworkPolicyPort]?

    public init(from: [NetworkPolicyPeer]?, ports: [NetworkPolicyPort]?) {
        self.from = from
        self.ports = ports
    }
}

/// Pods selected by `podSelector` in the namespaces `namespaceSelector` selects; without
/// `namespaceSelector`, in the policy's own namespace; without `podSelector`, every pod there.
public struct NetworkPolicyPeer: Codable, Sendable, Hashable {
    public var podSelector: LabelSelector?
    public var namespaceSelector: LabelSelector?

    public init(podSelector: LabelSelector? = nil, namespaceSelector: LabelSelector? = nil) {
        self.podSelector = podSelector
        self.namespaceSelector = namespaceSelector
    }
}

public struct NetworkPolicyPort: Codable, Sendable, Hashable {
    public var port: IntOrString?
    public var `protocol`: String?

    public init(port: IntOrString, protocol: String = "TCP") {
        self.port = port
        self.protocol = `protocol`
    }
}
