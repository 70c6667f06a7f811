/// A Kubernetes object type with a fixed group/version/kind.
public protocol KubeResource: Codable, Sendable {
    /// `group/version`, or `version` for the core group.
    static var apiVersion: String { get }
    static var kind: String { get }
    /// The lowercase plural used in API paths.
    static var plural: String { get }
    var metadata: ObjectMeta { get set }
}
