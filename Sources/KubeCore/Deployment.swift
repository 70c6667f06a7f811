/// `apps/v1.Deployment`.
public struct Deployment: KubeResource, Hashable {
    public static let apiVersion = "apps/v1"
    public static let kind = "Deployment"
    public static let plural = "deployments"

    public var apiVersion = Deployment.apiVersion
    public var kind = Deployment.kind
    public var metadata: ObjectMeta
    public var spec: DeploymentSpec
    public var status: DeploymentStatus?

    public init(metadata: ObjectMeta, spec: DeploymentSpec) {
        self.metadata = metadata
        self.spec = spec
    }
}

public struct DeploymentSpec: Codable, Sendable, Hashable {
    public var replicas: Int?
    public var selector: LabelSelector
    public var strategy: DeploymentStrategy?
    public var revisionHistoryLimit: Int?
    public var template: PodTemplateSpec

    public init(replicas: Int?, selector: LabelSelector, strategy: DeploymentStrategy?, revisionHistoryLimit: Int? = nil, template: PodTemplateSpec) {
        self.replicas = replicas
        self.selector = selector
        self.strategy = strategy
        self.revisionHistoryLimit = revisionHistoryLimit
        self.template = template
    }
}

public struct DeploymentStrategy: Codable, Sendable, Hashable {
    /// "RollingUpdate" or "Recreate".
    public var type: String
    public var rollingUpdate: RollingUpdateDeployment?

    public init(type: String, rollingUpdate: RollingUpdateDeployment? = nil) {
        self.type = type
        self.rollingUpdate = rollingUpdate
    }
}

public struct RollingUpdateDeployment: Codable, Sendable, Hashable {
    public var maxUnavailable: IntOrString?
    public var maxSurge: IntOrString?

    public init(maxUnavailable: IntOrString?, maxSurge: IntOrString?) {
        self.maxUnavailable = maxUnavailable
        self.maxSurge = maxSurge
    }
}

public struct PodTemplateSpec: Codable, Sendable, Hashable {
    public var metadata: ObjectMeta
    public var spec: PodSpec

    public init(metadata: ObjectMeta, spec: PodSpec) {
        self.metadata = metadata
        self.spec = spec
    }
}

/// The readiness fields of `apps/v1.DeploymentStatus` the operator reads.
public struct DeploymentStatus: Codable, Sendable, Hashable {
    public var observedGeneration: Int64?
    public var replicas: Int?
    public var updatedReplicas: Int?
    public var readyReplicas: Int?
    public var availableReplicas: Int?
    public var unavailableReplicas: Int?
    public var conditions: [JSONValue]?

    public init(observedGeneration: Int64? = nil, replicas: Int? = nil, updatedReplicas: Int? = nil, readyReplicas: Int? = nil) {
        self.observedGeneration = observedGeneration
        self.replicas = replicas
        self.updatedReplicas = updatedReplicas
        self.readyReplicas = readyReplicas
    }
}
