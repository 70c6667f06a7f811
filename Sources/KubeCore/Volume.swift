/// `v1.Volume` (the sources this project renders: ConfigMap, projected Secrets, emptyDir).
public struct Volume: Codable, Sendable, Hashable {
    public var name: String
    public var configMap: ConfigMapVolumeSource?
    public var projected: ProjectedVolumeSource?
    public var emptyDir: EmptyDirVolumeSource?

    public init(name: String, configMap: ConfigMapVolumeSource? = nil, projected: ProjectedVolumeSource? = nil, emptyDir: EmptyDirVolumeSource? = nil) {
        self.name = name
        self.configMap = configMap
        self.projected = projected
        self.emptyDir = emptyDir
    }
}

public struct ConfigMapVolumeSource: Codable, Sendable, Hashable {
    public var name: String
    public var defaultMode: Int?

    public init(name: String, defaultMode: Int? = nil) {
        self.name = name
        self.defaultMode = defaultMode
    }
}

public struct ProjectedVolumeSource: Codable, Sendable, Hashable {
    public var sources: [VolumeProjection]
    public var defaultMode: Int?

    public init(sources: [VolumeProjection], defaultMode: Int? = nil) {
        self.sources = sources
        self.defaultMode = defaultMode
    }
}

public struct VolumeProjection: Codable, Sendable, Hashable {
    public var secret: SecretProjection?

    public init(secret: SecretProjection) {
        self.secret = secret
    }
}

public struct SecretProjection: Codable, Sendable, Hashable {
    public var name: String
    public var items: [KeyToPath]?

    public init(name: String, items: [KeyToPath]) {
        self.name = name
        self.items = items
    }
}

public struct KeyToPath: Codable, Sendable, Hashable {
    public var key: String
    public var path: String

    public init(key: String, path: String) {
        self.key = key
        self.path = path
    }
}

public struct EmptyDirVolumeSource: Codable, Sendable, Hashable {
    public var medium: String?
    public var sizeLimit: String?

    public init(medium: String? = nil, sizeLimit: String? = nil) {
        self.medium = medium
        self.sizeLimit = sizeLimit
    }
}
