/// The release both binaries report (`--version`) and the images are tagged with
/// (hack/image.sh reads it from the built binaries); the default images name it too.
public enum MCPRuntimeVersion {
    public static let current = "0.1.0"
}
