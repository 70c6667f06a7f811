import Foundation
import KubeCore
import MCPProxyConfig
import MCPRuntimeAPI
import MCPRuntimeRender
import Testing

@Suite struct RenderTests {
    static func server(_ configure: (inout MCPServerSpec) -> Void = { _ in }) -> MCPServer {
        var spec = MCPServerSpec(image: "ghcr.io/acme/weather-mcp:1.0.0")
        spec.teamID = "team-a"
        spec.ingressHost = "mcp.example.com"
        spec.publicPathPrefix = "team-a"
        spec.auth = AuthConfig(mode: "oauth", issuerURL: "https://auth.example.com/realms/mcp", requiredScopes: ["mcp:tools"])
        spec.tools = [ToolConfig(name: "get_forecast", sideEffect: "read")]
        configure(&spec)
        var metadata = ObjectMeta(name: "weather", namespace: "team-a")
        metadata.uid = "5d3c1f0e-0000-4000-8000-000000000001"
        return MCPServer(metadata: metadata, spec: spec)
    }

    static func render(_ server: MCPServer, grants: [MCPAccessGrant] = [], sessions: [MCPAgentSession] = []) throws -> RenderedServer {
        let plan = RenderPlan.make(servers: [server], grants: grants, sessions: sessions)
        return try #require(plan.rendered.first)
    }

    private func objects<T>(_ rendered: RenderedServer, _ pick: (RenderedObject) -> T?) -> [T] {
        rendered.objects.compactMap(pick)
    }

    @Test("an oauth server renders config, both workloads, a seal, a public Service and an Ingress")
    func objectSet() throws {
        let rendered = try Self.render(Self.server())
        #expect(rendered.objects.map(\.reference) == [
            "ConfigMap/weather-proxy-config", "ServiceAccount/weather-proxy", "Role/weather-proxy", "RoleBinding/weather-proxy",
            "Service/weather-server", "Deployment/weather-server",
            "Deployment/weather-proxy", "NetworkPolicy/weather-server", "Service/weather", "Ingress/weather",
        ])
        for object in rendered.objects {
            #expect(object.metadata.namespace == "team-a")
            #expect(object.metadata.ownerReferences?.first?.uid == "5d3c1f0e-0000-4000-8000-000000000001")
            #expect(object.metadata.ownerReferences?.first?.controller == true)
            #expect(object.metadata.labels?["app.kubernetes.io/part-of"] == "mcp-runtime")
        }
    }

    @Test("the Ingress routes exactly the resource path and its metadata path")
    func ingress() throws {
        let ingress = try #require(objects(try Self.render(Self.server())) { if case .ingress(let i) = $0 { i } else { nil } }.first)
        let rule = try #require(ingress.spec.rules.first)
        #expect(rule.host == "mcp.example.com")
        #expect(rule.http.paths.map(\.path) == ["/team-a/mcp", "/.well-known/oauth-protected-resource/team-a/mcp"])
        #expect(rule.http.paths.allSatisfy { $0.pathType == "Exact" && $0.backend.service.name == "weather" })
    }

    @Test("no Ingress without ingressHost; no metadata path outside oauth")
    func ingressConditions() throws {
        let none = try Self.render(Self.server { $0.ingressHost = nil; $0.auth = nil })
        #expect(!none.objects.contains { $0.kind == "Ingress" })
        let header = try Self.render(Self.server { $0.auth = AuthConfig(mode: "header") })
        let ingress = try #require(objects(header) { if case .ingress(let i) = $0 { i } else { nil } }.first)
        #expect(ingress.spec.rules.first?.http.paths.map(\.path) == ["/team-a/mcp"])
    }

    @Test("the network policy lets only proxy pods reach the server's port")
    func networkPolicy() throws {
        let policy = try #require(objects(try Self.render(Self.server())) { if case .networkPolicy(let p) = $0 { p } else { nil } }.first)
        #expect(policy.spec.podSelector.matchLabels == ["app.kubernetes.io/instance": "weather", "app.kubernetes.io/component": "server"])
        #expect(policy.spec.policyTypes == ["Ingress"])
        #expect(policy.spec.ingress?.first?.from?.first?.podSelector?.matchLabels == ["app.kubernetes.io/instance": "weather", "app.kubernetes.io/component": "proxy"])
        #expect(policy.spec.ingress?.first?.ports?.first?.port == .int(8088))
    }

    @Test("header mode with trusted sources seals the proxy: its port for them only, its admin port for probes and scrapes")
    func proxyNetworkPolicy() throws {
        var auth = AuthConfig(mode: "header")
        let gateway = TrustedSource(namespaceSelector: LabelSelector(matchLabels: ["kubernetes.io/metadata.name": "sso"]), podSelector: LabelSelector(matchLabels: ["app": "gateway"]))
        let local = TrustedSource(podSelector: LabelSelector(matchExpressions: [LabelSelectorRequirement(key: "role", operator: "In", values: ["sso"])]))
        auth.trustedSources = [gateway, local]
        let rendered = try Self.render(Self.server { $0.auth = auth })
        #expect(rendered.objects.map(\.reference).filter { $0.hasPrefix("NetworkPolicy/") } == ["NetworkPolicy/weather-server", "NetworkPolicy/weather-proxy"])
        let policy = try #require(objects(rendered) { if case .networkPolicy(let p) = $0, p.metadata.name == "weather-proxy" { p } else { nil } }.first)
        #expect(policy.spec.podSelector.matchLabels == ["app.kubernetes.io/instance": "weather", "app.kubernetes.io/component": "proxy"])
        #expect(policy.spec.policyTypes == ["Ingress"])
        #expect(policy.spec.ingress == [
            NetworkPolicyIngressRule(from: [NetworkPolicyPeer(podSelector: gateway.podSelector, namespaceSelector: gateway.namespaceSelector), NetworkPolicyPeer(podSelector: local.podSelector)],
                                     ports: [NetworkPolicyPort(port: .int(8091))]),
            NetworkPolicyIngressRule(from: nil, ports: [NetworkPolicyPort(port: .int(9090))]),
        ])
        #expect(policy.metadata.ownerReferences?.first?.uid == "5d3c1f0e-0000-4000-8000-000000000001")
    }

    @Test("no proxy policy in header mode without trusted sources, nor in oauth or none mode")
    func noProxyNetworkPolicy() throws {
        var ignored = AuthConfig(mode: "oauth", issuerURL: "https://auth.example.com/realms/mcp")
        ignored.trustedSources = [TrustedSource(podSelector: LabelSelector(matchLabels: ["app": "gateway"]))]
        for auth in [AuthConfig(mode: "header"), ignored, AuthConfig(mode: "none")] {
            let rendered = try Self.render(Self.server { $0.auth = auth })
            #expect(!rendered.objects.contains { $0.reference == "NetworkPolicy/weather-proxy" }, "\(auth.mode ?? "")")
        }
    }

    @Test("none mode with the gateway disabled: no proxy, no seal, the public Service selects the server")
    func gatewayDisabled() throws {
        let rendered = try Self.render(Self.server { $0.auth = AuthConfig(mode: "none"); $0.gateway = GatewayConfig(enabled: false) })
        #expect(rendered.objects.map(\.reference) == ["Service/weather-server", "Deployment/weather-server", "Service/weather", "Ingress/weather"])
        let service = try #require(objects(rendered) { if case .service(let s) = $0, s.metadata.name == "weather" { s } else { nil } }.first)
        #expect(service.spec.selector?["app.kubernetes.io/component"] == "server")
    }

    @Test("workloads are hardened: non-root, read-only root, no privilege escalation; only the proxy gets a token")
    func hardened() throws {
        let deployments = objects(try Self.render(Self.server())) { if case .deployment(let d) = $0 { d } else { nil } }
        #expect(deployments.count == 2)
        for deployment in deployments {
            let pod = deployment.spec.template.spec
            let isProxy = deployment.metadata.name == "weather-proxy"
            #expect(pod.automountServiceAccountToken == isProxy)
            #expect(pod.serviceAccountName == (isProxy ? "weather-proxy" : nil))
            #expect(pod.securityContext?.runAsNonRoot == true)
            #expect(pod.securityContext?.seccompProfile?.type == "RuntimeDefault")
            for container in pod.containers {
                #expect(container.securityContext == .restricted)
                #expect(container.readinessProbe != nil && container.livenessProbe != nil)
                #expect(container.resources?.limits?["memory"] != nil)
            }
            #expect(deployment.spec.selector.matchLabels?.allSatisfy { deployment.spec.template.metadata.labels?[$0.key] == $0.value } == true)
        }
    }

    @Test("the proxy's token may read and watch its own ConfigMap and nothing else")
    func proxyAccess() throws {
        let rendered = try Self.render(Self.server())
        let role = try #require(objects(rendered) { if case .role(let r) = $0 { r } else { nil } }.first)
        #expect(role.rules == [PolicyRule(apiGroups: [""], resources: ["configmaps"], resourceNames: ["weather-proxy-config"], verbs: ["get", "list", "watch"])])
        let binding = try #require(objects(rendered) { if case .roleBinding(let b) = $0 { b } else { nil } }.first)
        #expect(binding.roleRef.name == "weather-proxy")
        #expect(binding.subjects == [RBACSubject(name: "weather-proxy", namespace: "team-a")])
    }

    @Test("the proxy reads its config from the ConfigMap and Secrets from one read-only projected volume")
    func proxyMounts() throws {
        let session = MCPAgentSession(metadata: ObjectMeta(name: "s1", namespace: "team-a"), spec: {
            var spec = MCPAgentSessionSpec(serverRef: ServerReference(name: "weather"), subject: SubjectRef(humanID: "alice"))
            spec.upstreamTokenSecretRef = SecretKeyRef(name: "alice-upstream", key: "token")
            return spec
        }())
        let rendered = try Self.render(Self.server { spec in
            var upstream = UpstreamAuthConfig(mode: "secret")
            upstream.secretRef = SecretKeyRef(name: "weather-upstream", key: "token")
            spec.upstreamAuth = upstream
        }, sessions: [session])
        let proxy = try #require(objects(rendered) { if case .deployment(let d) = $0, d.metadata.name == "weather-proxy" { d } else { nil } }.first)
        let pod = proxy.spec.template.spec
        let container = try #require(pod.containers.first)
        #expect(container.args == ["--config", "/etc/mcp-proxy/config.json", "--listen", "0.0.0.0:8091", "--admin-listen", "0.0.0.0:9090", "--config-map", "team-a/weather-proxy-config"])
        #expect(container.volumeMounts?.allSatisfy { $0.readOnly == true } == true)
        #expect(pod.volumes?.first?.configMap?.name == "weather-proxy-config")
        let projected = try #require(pod.volumes?.last?.projected)
        #expect(projected.sources.map { $0.secret?.name } == ["weather-upstream", "alice-upstream"])
        #expect(rendered.proxyConfig.upstream.auth.secretFile == "/var/run/secrets/mcp-runtime/upstream/credential")
        #expect(rendered.proxyConfig.sessions.first?.upstreamTokenFile == "/var/run/secrets/mcp-runtime/sessions/s1/token")
    }

    @Test("the proxy config carries the canonical URI, audience, PRM location and a content revision")
    func proxyConfig() throws {
        let config = try Self.render(Self.server()).proxyConfig
        #expect(config.version == ProxyConfig.currentVersion)
        #expect(config.unusable == nil)
        #expect(config.resource.uri == "https://mcp.example.com/team-a/mcp")
        #expect(config.resource.path == "/team-a/mcp")
        #expect(config.resource.metadataURL == "https://mcp.example.com/.well-known/oauth-protected-resource/team-a/mcp")
        #expect(config.auth.oauth?.audience == "https://mcp.example.com/team-a/mcp")
        #expect(config.auth.oauth?.issuer == "https://auth.example.com/realms/mcp")
        #expect(config.revision?.hasPrefix("sha256:") == true)
        #expect(config.revision?.count == 71)
    }

    @Test("requireAccessTokenType and issuerMaxStalenessSeconds reach the proxy config only when set")
    func tokenTypeAndStaleness() throws {
        let plain = try Self.render(Self.server()).proxyConfig.auth.oauth
        #expect(plain?.requireAccessTokenType == nil && plain?.issuerCache == nil)
        #expect(plain?.cache == ProxyConfig.IssuerCache())
        let strict = try Self.render(Self.server {
            $0.auth?.requireAccessTokenType = true
            $0.auth?.issuerMaxStalenessSeconds = 3600
        }).proxyConfig.auth.oauth
        #expect(strict?.requireAccessTokenType == true)
        #expect(strict?.issuerCache == ProxyConfig.IssuerCache(refreshSeconds: 300, maxStalenessSeconds: 3600, minFetchIntervalSeconds: 10, fetchWaitMilliseconds: 2000))
        let lenient = try Self.render(Self.server { $0.auth?.requireAccessTokenType = false }).proxyConfig.auth.oauth
        #expect(lenient?.requireAccessTokenType == nil)
    }

    @Test("the revision changes with the content and only with it")
    func revision() throws {
        let base = try Self.render(Self.server()).proxyConfig.revision
        #expect(try Self.render(Self.server()).proxyConfig.revision == base)
        let revoked = MCPAgentSession(metadata: ObjectMeta(name: "s1", namespace: "team-a"), spec: MCPAgentSessionSpec(serverRef: ServerReference(name: "weather"), subject: SubjectRef(humanID: "alice"), revoked: true))
        let live = MCPAgentSession(metadata: ObjectMeta(name: "s1", namespace: "team-a"), spec: MCPAgentSessionSpec(serverRef: ServerReference(name: "weather"), subject: SubjectRef(humanID: "alice"), revoked: false))
        let a = try Self.render(Self.server(), sessions: [live]).proxyConfig.revision
        let b = try Self.render(Self.server(), sessions: [revoked]).proxyConfig.revision
        #expect(a != base && b != a)
        let configMap = try #require(objects(try Self.render(Self.server(), sessions: [revoked])) { if case .configMap(let c) = $0 { c } else { nil } }.first)
        #expect(configMap.metadata.annotations?["mcpruntime.org/config-revision"] == b)
    }

    @Test("a server that cannot bind tokens to an audience renders a proxy that refuses everything")
    func failClosed() throws {
        let server = Self.server { $0.ingressHost = nil }
        let plan = RenderPlan.make(servers: [server], grants: [], sessions: [])
        #expect(plan.errors.map(\.issue.reason) == [.unresolvableAudience])
        let rendered = try #require(plan.rendered.first)
        let config = rendered.proxyConfig
        #expect(config.unusable?.contains("resource URI") == true)
        #expect(config.auth.mode == .oauth)
        #expect(config.auth.oauth == nil, "no audience, so no token can ever be accepted")
        let json = String(decoding: try KubeJSON.encode(config), as: UTF8.self)
        #expect(!json.contains("\"audience\""))
        #expect(rendered.objects.contains { $0.kind == "NetworkPolicy" }, "the server stays sealed")
    }

    @Test("grants and sessions bind to their server; an empty team becomes the server's")
    func bindings() throws {
        let grant = MCPAccessGrant(metadata: ObjectMeta(name: "alice", namespace: "team-a"), spec: MCPAccessGrantSpec(serverRef: ServerReference(name: "weather"), subject: SubjectRef(humanID: "alice"), maxTrust: "high", allowedSideEffects: ["read", "write"], toolRules: [ToolRule(name: "get_forecast", decision: "deny")]))
        let other = MCPAccessGrant(metadata: ObjectMeta(name: "bob", namespace: "team-a"), spec: MCPAccessGrantSpec(serverRef: ServerReference(name: "other", namespace: "team-b"), subject: SubjectRef(humanID: "bob", teamID: "team-b")))
        let plan = RenderPlan.make(servers: [Self.server()], grants: [grant, other], sessions: [])
        #expect(plan.errors.count == 1)
        #expect(plan.errors.first?.source == .grant(1))
        #expect(plan.errors.first?.issue.path.description == "spec.serverRef.name")
        let config = try #require(plan.rendered.first?.proxyConfig)
        #expect(config.grants.map(\.name) == ["alice"])
        #expect(config.grants.first?.subject == ProxyConfig.Subject(humanID: "alice", agentID: nil, teamID: "team-a"))
        #expect(config.grants.first?.toolRules == [ProxyConfig.ToolRule(name: "get_forecast", decision: .deny, requiredTrust: nil)])
    }

    @Test("the MCP session binding key is mounted from its Secret; several replicas without one are warned about")
    func sessionBindingKey() throws {
        let rendered = try Self.render(Self.server { spec in
            var session = SessionConfig()
            session.bindingKeySecretRef = SecretKeyRef(name: "weather-session-key", key: "key")
            spec.session = session
        })
        #expect(rendered.proxyConfig.session.bindingKeyFile == "/var/run/secrets/mcp-runtime/session-binding/key")
        let proxy = try #require(objects(rendered) { if case .deployment(let d) = $0, d.metadata.name == "weather-proxy" { d } else { nil } }.first)
        #expect(proxy.spec.template.spec.volumes?.last?.projected?.sources.map { $0.secret?.name } == ["weather-session-key"])
        #expect(try Self.render(Self.server()).proxyConfig.session.bindingKeyFile == nil)
        let plan = RenderPlan.make(servers: [Self.server { $0.replicas = 3 }], grants: [], sessions: [])
        #expect(plan.findings.map(\.issue.path.description) == ["spec.session.bindingKeySecretRef"])
        #expect(plan.findings.first?.issue.severity == .warning)
    }

    @Test("the issuer's CA is mounted from its Secret and named in the proxy config; absent, the config keeps its bytes")
    func issuerCA() throws {
        let plain = try Self.render(Self.server())
        let rendered = try Self.render(Self.server { spec in
            spec.auth?.issuerCASecretRef = SecretKeyRef(name: "corp-root-ca", key: "bundle.pem")
            var upstream = UpstreamAuthConfig(mode: "secret")
            upstream.secretRef = SecretKeyRef(name: "weather-upstream", key: "token")
            spec.upstreamAuth = upstream
        })
        #expect(rendered.proxyConfig.auth.oauth?.issuerCAFile == "/var/run/secrets/mcp-runtime/issuer-ca/ca.crt")
        let proxy = try #require(objects(rendered) { if case .deployment(let d) = $0, d.metadata.name == "weather-proxy" { d } else { nil } }.first)
        let pod = proxy.spec.template.spec
        let projected = try #require(pod.volumes?.last?.projected)
        #expect(pod.volumes?.last?.name == "credentials")
        let items = projected.sources.compactMap(\.secret).map { secret in (secret.name, (secret.items ?? []).map { "\($0.key)->\($0.path)" }) }
        #expect(items.map(\.0) == ["corp-root-ca", "weather-upstream"])
        #expect(items.first?.1 == ["bundle.pem->issuer-ca/ca.crt"])
        #expect(pod.containers.first?.volumeMounts?.contains { $0.name == "credentials" && $0.mountPath == "/var/run/secrets/mcp-runtime" && $0.readOnly == true } == true)
        // The MCP server's own pod never gets it.
        let server = try #require(objects(rendered) { if case .deployment(let d) = $0, d.metadata.name == "weather-server" { d } else { nil } }.first)
        #expect(server.spec.template.spec.volumes?.contains { $0.projected != nil } != true)

        #expect(plain.proxyConfig.auth.oauth?.issuerCAFile == nil)
        let json = String(decoding: try KubeJSON.encode(plain.proxyConfig), as: UTF8.self)
        #expect(!json.contains("issuerCAFile"))
        #expect(rendered.proxyConfig.revision != plain.proxyConfig.revision)
        let decoded = try JSONDecoder().decode(ProxyConfig.self, from: KubeJSON.encode(rendered.proxyConfig))
        #expect(decoded == rendered.proxyConfig)
        // Outside oauth mode the reference is ignored (a warning), and nothing is mounted.
        let header = try Self.render(Self.server { spec in
            var auth = AuthConfig(mode: "header")
            auth.issuerCASecretRef = SecretKeyRef(name: "corp-root-ca", key: "bundle.pem")
            spec.auth = auth
        })
        #expect(header.proxyConfig.auth.oauth == nil)
        let headerProxy = try #require(objects(header) { if case .deployment(let d) = $0, d.metadata.name == "weather-proxy" { d } else { nil } }.first)
        #expect(headerProxy.spec.template.spec.volumes?.contains { $0.projected != nil } != true)
    }

    @Test("a session's creation time is rendered, the start of its maximum lifetime")
    func sessionCreation() throws {
        var metadata = ObjectMeta(name: "s1", namespace: "team-a")
        metadata.creationTimestamp = "2026-11-30T08:00:00Z"
        let session = MCPAgentSession(metadata: metadata, spec: MCPAgentSessionSpec(serverRef: ServerReference(name: "weather"), subject: SubjectRef(humanID: "alice")))
        let plan = RenderPlan.make(servers: [Self.server()], grants: [], sessions: [session])
        #expect(plan.rendered.first?.proxyConfig.sessions.first?.createdAt == "2026-11-30T08:00:00Z")
    }

    @Test("session upstream tokens come only from the server's namespace")
    func crossNamespaceSessionSecret() throws {
        var spec = MCPAgentSessionSpec(serverRef: ServerReference(name: "weather", namespace: "team-a"), subject: SubjectRef(humanID: "alice"))
        spec.upstreamTokenSecretRef = SecretKeyRef(name: "tok", key: "token")
        let session = MCPAgentSession(metadata: ObjectMeta(name: "s1", namespace: "agents"), spec: spec)
        let server = Self.server { $0.bindings = BindingsConfig(from: "Selector", namespaces: ["agents"]) }
        let plan = RenderPlan.make(servers: [server], grants: [], sessions: [session])
        #expect(plan.findings.map(\.issue.path.description) == ["spec.upstreamTokenSecretRef"])
        #expect(plan.findings.first?.issue.severity == .warning)
        #expect(plan.rendered.first?.proxyConfig.sessions.first?.upstreamTokenFile == nil)
    }

    static func crossNamespace() -> (MCPAccessGrant, MCPAgentSession) {
        let grant = MCPAccessGrant(metadata: ObjectMeta(name: "mallory", namespace: "team-b"), spec: MCPAccessGrantSpec(
            serverRef: ServerReference(name: "weather", namespace: "team-a"), subject: SubjectRef(humanID: "mallory"),
            maxTrust: "high", allowedSideEffects: ["read", "write", "destructive"]))
        let session = MCPAgentSession(metadata: ObjectMeta(name: "mallory-bot", namespace: "team-b"), spec: MCPAgentSessionSpec(
            serverRef: ServerReference(name: "weather", namespace: "team-a"), subject: SubjectRef(humanID: "mallory", agentID: "bot"), consentedTrust: "high"))
        return (grant, session)
    }

    @Test("a grant or session from another namespace binds only with the server's consent; refused ones never reach the config")
    func crossNamespaceConsent() throws {
        let (grant, session) = Self.crossNamespace()
        let refused = RenderPlan.make(servers: [Self.server()], grants: [grant], sessions: [session])
        #expect(refused.errors.map(\.source) == [.grant(0), .session(0)])
        for finding in refused.errors {
            #expect(finding.issue.path.description == "spec.serverRef.namespace")
            #expect(finding.issue.reason == .forbidden)
            #expect(finding.issue.message.hasPrefix("MCPServer team-a/weather does not accept grants and sessions from namespace team-b: it accepts grants and sessions from its own namespace team-a only"))
        }
        let config = try #require(refused.rendered.first?.proxyConfig)
        #expect(config.grants.isEmpty && config.sessions.isEmpty)

        let consenting: [(BindingsConfig, NamespaceLabels)] = [
            (BindingsConfig(from: "All"), NamespaceLabels()),
            (BindingsConfig(from: "Selector", namespaces: ["team-b"]), NamespaceLabels()),
            (BindingsConfig(from: "Selector", namespaceSelector: LabelSelector(matchLabels: ["mcp": "consumer"])), NamespaceLabels(["team-b": ["mcp": "consumer"]])),
        ]
        for (bindings, labels) in consenting {
            let plan = RenderPlan.make(servers: [Self.server { $0.bindings = bindings }], grants: [grant], sessions: [session], namespaces: labels)
            #expect(plan.errors.isEmpty, "\(plan.errors.map(\.issue))")
            let config = try #require(plan.rendered.first?.proxyConfig)
            #expect(config.grants.map(\.name) == ["mallory"] && config.grants.first?.namespace == "team-b")
            #expect(config.sessions.map(\.name) == ["mallory-bot"])
        }

        let unlabelled = RenderPlan.make(servers: [Self.server { $0.bindings = consenting[2].0 }], grants: [grant], sessions: [session], namespaces: NamespaceLabels(["team-b": ["mcp": "other"]]))
        #expect(unlabelled.errors.count == 2)
        #expect(unlabelled.rendered.first?.proxyConfig.grants.isEmpty == true)
    }

    @Test("duplicate servers are an error")
    func duplicates() {
        let plan = RenderPlan.make(servers: [Self.server(), Self.server()], grants: [], sessions: [])
        #expect(plan.errors.map(\.source) == [.server(1)])
        #expect(plan.rendered.count == 1)
    }

    @Test("the proxy config decodes back to the same value")
    func proxyConfigRoundTrip() throws {
        let config = try Self.render(Self.server()).proxyConfig
        let decoded = try JSONDecoder().decode(ProxyConfig.self, from: KubeJSON.encode(config))
        #expect(decoded == config)
    }
}
