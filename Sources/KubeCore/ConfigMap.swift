/// `v1.ConfigMap`.
public struct ConfigMap: KubeResource, Hashable {
    public static let apiVersion = "v1"
    public static let kind = "ConfigMap"
    public static let plural = "configmaps"

    public var apiVersion = ConfigMap.apiVersion
    public var kind = ConfigMap.kind
    public var metadata: ObjectMeta
    public var data: [String: String]?

    public init(metadata: ObjectMeta, data: [String: String]) {
        self.metadata = metadata
        self.data = data
    }
}
