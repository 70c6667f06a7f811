import Foundation
import KubeCore
import MCPProxyConfig
import MCPRuntimeAPI

/// The proxy's ConfigMap, Deployment and the public Service clients reach.
enum ProxyWorkloadRenderer {
    static func configMap(_ config: ProxyConfig, server: ResolvedServer, names: ServerNames) -> ConfigMap {
        ConfigMap(
            metadata: ObjectDefaults.metadata(
                names.proxyConfigMap, server, labels: names.proxyLabels,
                annotations: [Labels.configRevision: config.revision ?? ""]
            ),
            data: [ObjectDefaults.proxyConfigKey: configText(config)]
        )
    }

    /// The ConfigMap's `config.json`: pretty, sorted keys, a final newline.
    static func configText(_ config: ProxyConfig) -> String {
        ((try? KubeJSON.encode(config, pretty: true)).flatMap { String(data: $0, encoding: .utf8) } ?? "{}") + "\n"
    }

    static func deployment(_ server: ResolvedServer, names: ServerNames, mounts: SecretMounts, options: RenderOptions) -> Deployment {
        let gateway = server.gateway
        var container = Container(name: "mcp-proxy", image: gateway.image ?? options.proxyImage)
        container.args = [
            "--config", "\(ObjectDefaults.proxyConfigDirectory)/\(ObjectDefaults.proxyConfigKey)",
            "--listen", "0.0.0.0:\(gateway.port)",
            "--admin-listen", "0.0.0.0:\(ObjectDefaults.proxyAdminPort)",
            // Watched through the API too: revocations reach the proxy in about a second,
            // where the mounted volume can lag a minute (docs/operator.md).
            "--config-map", "\(server.namespace)/\(names.proxyConfigMap)",
        ]
        container.ports = [
            ContainerPort(name: "http", containerPort: gateway.port),
            ContainerPort(name: "admin", containerPort: ObjectDefaults.proxyAdminPort),
        ]
        container.resources = ObjectDefaults.requirements(gateway.resources, requests: ObjectDefaults.proxyRequests, limits: ObjectDefaults.proxyLimits)
        container.securityContext = .restricted
        container.readinessProbe = Probe(httpGet: HTTPGetAction(path: "/readyz", port: .string("admin")), periodSeconds: 5)
        container.livenessProbe = Probe(httpGet: HTTPGetAction(path: "/healthz", port: .string("admin")), initialDelaySeconds: 5, periodSeconds: 10)
        var volumeMounts = [VolumeMount(name: "config", mountPath: ObjectDefaults.proxyConfigDirectory, readOnly: true)]
        var volumes = [Volume(name: "config", configMap: ConfigMapVolumeSource(name: names.proxyConfigMap))]
        if !mounts.isEmpty {
            volumeMounts.append(mounts.volumeMount)
            volumes.append(mounts.volume)
        }
        container.volumeMounts = volumeMounts

        var pod = PodSpec(containers: [container])
        // mcp-proxy's --shutdown-grace (20 s) fits inside, with time to exit.
        pod.terminationGracePeriodSeconds = ObjectDefaults.proxyTerminationGraceSeconds
        // The token of an account that may read this one ConfigMap and nothing else.
        pod.serviceAccountName = names.proxyAccount
        pod.automountServiceAccountToken = true
        pod.enableServiceLinks = false
        pod.securityContext = PodSecurityContext(
            runAsNonRoot: true, runAsUser: ObjectDefaults.proxyUser, runAsGroup: ObjectDefaults.proxyUser,
            fsGroup: ObjectDefaults.proxyUser, seccompProfile: SeccompProfile(type: "RuntimeDefault")
        )
        pod.volumes = volumes

        return Deployment(
            metadata: ObjectDefaults.metadata(names.proxyWorkload, server, labels: names.proxyLabels),
            spec: DeploymentSpec(
                replicas: server.replicas,
                selector: LabelSelector(matchLabels: names.proxySelector),
                strategy: DeploymentStrategy(type: "RollingUpdate", rollingUpdate: RollingUpdateDeployment(maxUnavailable: .int(0), maxSurge: .int(1))),
                template: PodTemplateSpec(metadata: ObjectMeta(labels: names.proxyLabels), spec: pod)
            )
        )
    }

    /// The Service clients reach: the proxy's pods, or the server's when there is no proxy.
    static func publicService(_ server: ResolvedServer, names: ServerNames) -> Service {
        let selector = server.gateway.enabled ? names.proxySelector : names.serverSelector
        return Service(
            metadata: ObjectDefaults.metadata(names.publicService, server, labels: names.common),
            spec: ServiceSpec(
                selector: selector,
                ports: [ServicePort(name: "http", port: server.servicePort, targetPort: .string("http"))]
            )
        )
    }
}
