/// `v1.Namespace`, cluster-scoped. The operator reads only its name and labels.
public struct Namespace: KubeResource, Hashable {
    public static let apiVersion = "v1"
    public static let kind = "Namespace"
    public static let plural = "namespaces"

    public var apiVersion: String? = Namespace.apiVersion
    public var kind: String? = Namespace.kind
    public var metadata: ObjectMeta

    public init(metadata: ObjectMeta) {
        self.metadata = metadata
    }

    /// The label every Namespace carries with its own name (Kubernetes 1.21 and later).
    public static let nameLabel = "kubernetes.io/metadata.name"
}
