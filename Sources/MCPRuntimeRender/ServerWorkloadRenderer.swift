import KubeCore
import MCPRuntimeAPI

/// The MCP server's Deployment and its internal Service.
enum ServerWorkloadRenderer {
    static func deployment(_ server: ResolvedServer, names: ServerNames) -> Deployment {
        var container = Container(name: "mcp-server", image: server.image)
        container.ports = [ContainerPort(name: "http", containerPort: server.port)]
        let env = server.env.map { EnvVar(name: $0.name ?? "", value: $0.value ?? "") }
            + server.secretEnv.map { EnvVar(name: $0.name, valueFrom: EnvVarSource(secretKeyRef: SecretKeySelector(name: $0.secret.name, key: $0.secret.key))) }
        container.env = env.isEmpty ? nil : env
        container.resources = ObjectDefaults.requirements(server.resources, requests: ObjectDefaults.serverRequests, limits: ObjectDefaults.serverLimits)
        container.securityContext = .restricted
        container.volumeMounts = [VolumeMount(name: "tmp", mountPath: "/tmp")]
        container.readinessProbe = Probe(tcpSocket: TCPSocketAction(port: .string("http")), periodSeconds: 10)
        container.livenessProbe = Probe(tcpSocket: TCPSocketAction(port: .string("http")), initialDelaySeconds: 10, periodSeconds: 20)

        var pod = PodSpec(containers: [container])
        pod.automountServiceAccountToken = false
        pod.enableServiceLinks = false
        pod.securityContext = PodSecurityContext(runAsNonRoot: true, seccompProfile: SeccompProfile(type: "RuntimeDefault"))
        pod.imagePullSecrets = server.imagePullSecrets.isEmpty ? nil : server.imagePullSecrets.map(LocalObjectReference.init)
        pod.volumes = [Volume(name: "tmp", emptyDir: EmptyDirVolumeSource())]

        return Deployment(
            metadata: ObjectDefaults.metadata(names.serverWorkload, server, labels: names.serverLabels),
            spec: DeploymentSpec(
                replicas: server.replicas,
                selector: LabelSelector(matchLabels: names.serverSelector),
                strategy: strategy(server.rollout),
                template: PodTemplateSpec(metadata: ObjectMeta(labels: names.serverLabels), spec: pod)
            )
        )
    }

    /// RollingUpdate and Recreate as Kubernetes has them; Canary as a rolling update
    /// that adds `canaryReplicas` new pods at a time and removes none before they are ready.
    static func strategy(_ rollout: ResolvedRollout) -> DeploymentStrategy {
        switch rollout.strategy {
        case .recreate:
            DeploymentStrategy(type: "Recreate")
        case .rollingUpdate:
            DeploymentStrategy(type: "RollingUpdate", rollingUpdate: RollingUpdateDeployment(
                maxUnavailable: intOrString(rollout.maxUnavailable), maxSurge: intOrString(rollout.maxSurge)))
        case .canary:
            DeploymentStrategy(type: "RollingUpdate", rollingUpdate: RollingUpdateDeployment(
                maxUnavailable: .int(0), maxSurge: .int(rollout.canaryReplicas ?? 1)))
        }
    }

    private static func intOrString(_ text: String) -> IntOrString {
        Int(text).map(IntOrString.int) ?? .string(text)
    }

    static func service(_ server: ResolvedServer, names: ServerNames) -> Service {
        Service(
            metadata: ObjectDefaults.metadata(names.serverWorkload, server, labels: names.serverLabels),
            spec: ServiceSpec(
                selector: names.serverSelector,
                ports: [ServicePort(name: "http", port: server.servicePort, targetPort: .string("http"))]
            )
        )
    }
}
