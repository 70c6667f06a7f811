import KubeCore
import MCPRuntimeAPI

/// The Secrets the proxy reads, projected into one read-only volume.
struct SecretMounts {
    static let mountPath = "/var/run/secrets/mcp-runtime"
    static let volumeName = "credentials"

    private(set) var items: [(secret: SecretRef, path: String)] = []

    /// Registers a Secret key at a relative path; returns the absolute file path.
    mutating func add(_ secret: SecretRef, at path: String) -> String {
        items.append((secret, path))
        return "\(Self.mountPath)/\(path)"
    }

    var isEmpty: Bool { items.isEmpty }

    /// One projected volume with every registered key, grouped per Secret in order of first use.
    var volume: Volume {
        var order: [String] = []
        var grouped: [String: [KeyToPath]] = [:]
        for (secret, path) in items {
            if grouped[secret.name] == nil { order.append(secret.name) }
            grouped[secret.name, default: []].append(KeyToPath(key: secret.key, path: path))
        }
        let sources = order.map { VolumeProjection(secret: SecretProjection(name: $0, items: grouped[$0] ?? [])) }
        return Volume(name: Self.volumeName, projected: ProjectedVolumeSource(sources: sources, defaultMode: 0o440))
    }

    var volumeMount: VolumeMount {
        VolumeMount(name: Self.volumeName, mountPath: Self.mountPath, readOnly: true)
    }
}
