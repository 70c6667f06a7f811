/// The API group and version of the project's resources.
public enum MCPRuntimeGroup {
    public static let group = "mcpruntime.org"
    public static let version = "v1alpha1"
    public static let apiVersion = "\(group)/\(version)"
}
