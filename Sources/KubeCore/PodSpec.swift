/// `v1.PodSpec` (the fields this project renders).
public struct PodSpec: Codable, Sendable, Hashable {
    public var serviceAccountName: String?
    public var automountServiceAccountToken: Bool?
    public var enableServiceLinks: Bool?
    public var imagePullSecrets: [LocalObjectReference]?
    public var securityContext: PodSecurityContext?
    public var terminationGracePeriodSeconds: Int?
    public var containers: [Container]
    public var volumes: [Volume]?

    public init(containers: [Container]) {
        self.containers = containers
    }
}

public struct LocalObjectReference: Codable, Sendable, Hashable {
    public var name: String

    public init(name: String) {
        self.name = name
    }
}

public struct PodSecurityContext: Codable, Sendable, Hashable {
    public var runAsNonRoot: Bool?
    public var runAsUser: Int?
    public var runAsGroup: Int?
    public var fsGroup: Int?
    public var seccompProfile: SeccompProfile?

    public init(runAsNonRoot: Bool?, runAsUser: Int? = nil, runAsGroup: Int? = nil, fsGroup: Int? = nil, seccompProfile: SeccompProfile?) {
        self.runAsNonRoot = runAsNonRoot
        self.runAsUser = runAsUser
        self.runAsGroup = runAsGroup
        self.fsGroup = fsGroup
        self.seccompProfile = seccompProfile
    }
}

public struct SeccompProfile: Codable, Sendable, Hashable {
    public var type: String

    public init(type: String) {
        self.type = type
    }
}

public struct Container: Codable, Sendable, Hashable {
    public var name: String
    public var image: String
    public var imagePullPolicy: String?
    public var args: [String]?
    public var ports: [ContainerPort]?
    public var env: [EnvVar]?
    public var resources: ResourceRequirements?
    public var volumeMounts: [VolumeMount]?
    public var livenessProbe: Probe?
    public var readinessProbe: Probe?
    public var securityContext: SecurityContext?

    public init(name: String, image: String) {
        self.name = name
        self.image = image
    }
}

public struct ContainerPort: Codable, Sendable, Hashable {
    public var name: String?
    public var containerPort: Int
    public var `protocol`: String?

    public init(name: String?, containerPort: Int, protocol: String? = "TCP") {
        self.name = name
        self.containerPort = containerPort
        self.protocol = `protocol`
    }
}

public struct EnvVar: Codable, Sendable, Hashable {
    public var name: String
    public var value: String?
    public var valueFrom: EnvVarSource?

    public init(name: String, value: String? = nil, valueFrom: EnvVarSource? = nil) {
        self.name = name
        self.value = value
        self.valueFrom = valueFrom
    }
}

public struct EnvVarSource: Codable, Sendable, Hashable {
    public var secretKeyRef: SecretKeySelector?

    public init(secretKeyRef: SecretKeySelector) {
        self.secretKeyRef = secretKeyRef
    }
}

public struct SecretKeySelector: Codable, Sendable, Hashable {
    public var name: String
    public var key: String
    public var optional: Bool?

    public init(name: String, key: String, optional: Bool? = nil) {
        self.name = name
        self.key = key
        self.optional = optional
    }
}

/// `v1.ResourceRequirements` with quantities as strings ("50m", "64Mi").
public struct ResourceRequirements: Codable, Sendable, Hashable {
    public var limits: [String: String]?
    public var requests: [String: String]?

    public init(limits: [String: String]?, requests: [String: String]?) {
        self.limits = limits
        self.requests = requests
    }
}

public struct VolumeMount: Codable, Sendable, Hashable {
    public var name: String
    public var mountPath: String
    public var readOnly: Bool?

    public init(name: String, mountPath: String, readOnly: Bool? = nil) {
        self.name = name
        self.mountPath = mountPath
        self.readOnly = readOnly
    }
}

public struct Probe: Codable, Sendable, Hashable {
    public var httpGet: HTTPGetAction?
    public var tcpSocket: TCPSocketAction?
    public var initialDelaySeconds: Int?
    public var periodSeconds: Int?
    public var timeoutSeconds: Int?
    public var failureThreshold: Int?

    public init(httpGet: HTTPGetAction? = nil, tcpSocket: TCPSocketAction? = nil, initialDelaySeconds: Int? = nil, periodSeconds: Int? = nil, timeoutSeconds: Int? = nil, failureThreshold: Int? = nil) {
        self.httpGet = httpGet
        self.tcpSocket = tcpSocket
        self.initialDelaySeconds = initialDelaySeconds
        self.periodSeconds = periodSeconds
        self.timeoutSeconds = timeoutSeconds
        self.failureThreshold = failureThreshold
    }
}

public struct HTTPGetAction: Codable, Sendable, Hashable {
    public var path: String
    public var port: IntOrString

    public init(path: String, port: IntOrString) {
        self.path = path
        self.port = port
    }
}

public struct TCPSocketAction: Codable, Sendable, Hashable {
    public var port: IntOrString

    public init(port: IntOrString) {
        self.port = port
    }
}

public struct SecurityContext: Codable, Sendable, Hashable {
    public var allowPrivilegeEscalation: Bool?
    public var readOnlyRootFilesystem: Bool?
    public var runAsNonRoot: Bool?
    public var capabilities: Capabilities?
    public var seccompProfile: SeccompProfile?

    /// The Pod Security Standards "restricted" profile for a container.
    public static let restricted = SecurityContext(
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        runAsNonRoot: true,
        capabilities: Capabilities(drop: ["ALL"]),
        seccompProfile: SeccompProfile(type: "RuntimeDefault")
    )

    public init(allowPrivilegeEscalation: Bool?, readOnlyRootFilesystem: Bool?, runAsNonRoot: Bool?, capabilities: Capabilities?, seccompProfile: SeccompProfile?) {
        self.allowPrivilegeEscalation = allowPrivilegeEscalation
        self.readOnlyRootFilesystem = readOnlyRootFilesystem
        self.runAsNonRoot = runAsNonRoot
        self.capabilities = capabilities
        self.seccompProfile = seccompProfile
    }
}

public struct Capabilities: Codable, Sendable, Hashable {
    public var drop: [String]?

    public init(drop: [String]) {
        self.drop = drop
    }
}
