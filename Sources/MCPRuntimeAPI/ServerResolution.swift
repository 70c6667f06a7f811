import KubeCore

/// The outcome of resolving an `MCPServer`: every issue found, and the typed server
/// when it can be rendered. A server whose only errors are `unresolvableAudience`
/// still resolves, with `unusableReason` set, so that the proxy fails closed.
public struct ServerResolution: Sendable {
    public var server: ResolvedServer?
    public var issues: [ValidationIssue]

    public var errors: [ValidationIssue] { issues.filter { $0.severity == .error } }
    public var warnings: [ValidationIssue] { issues.filter { $0.severity == .warning } }
}

extension MCPServer {
    /// Defaults, validates and resolves this server. Pure.
    public func resolve() -> ServerResolution {
        var resolver = ServerResolver(server: self)
        let resolved = resolver.run()
        let blocking = resolver.issues.errors.contains { $0.reason != .unresolvableAudience }
        return ServerResolution(server: blocking ? nil : resolved, issues: resolver.issues.items)
    }

    /// Every problem of this server: `resolve().issues`.
    public func validate() -> [ValidationIssue] { resolve().issues }
}

/// Walks one server once: checks each field and builds the resolved value.
struct ServerResolver {
    let server: MCPServer
    let spec: MCPServerSpec
    let name: String
    var issues = IssueList()

    static let spec = FieldPath("spec")

    init(server: MCPServer) {
        self.server = server
        self.spec = server.spec.defaulted()
        self.name = server.metadata.name ?? ""
    }

    mutating func run() -> ResolvedServer {
        checkMetadata()
        let workload = resolveWorkload()
        let route = resolveRoute()
        let auth = resolveAuth(resource: route.resource)
        let gateway = resolveGateway(auth: auth.settings, requestPath: route.requestPath)
        let upstreamAuth = resolveUpstreamAuth(mode: auth.settings.mode)
        let governance = resolveGovernance()
        let rateLimits = resolveRateLimits(mode: auth.settings.mode)
        // Checked here; what it admits is `MCPServer.bindingAdmission()`, valid spec or not.
        _ = resolveBindings()
        checkCompatibilityFields()
        return ResolvedServer(
            name: name,
            namespace: server.metadata.namespace ?? "default",
            uid: server.metadata.uid,
            teamID: spec.teamID,
            description: spec.description,
            image: workload.image,
            imagePullSecrets: spec.imagePullSecrets ?? [],
            replicas: spec.replicas ?? Defaults.replicas,
            port: spec.port ?? Defaults.port,
            servicePort: spec.servicePort ?? Defaults.servicePort,
            resources: spec.resources,
            env: spec.envVars ?? [],
            secretEnv: workload.secretEnv,
            requestPath: route.requestPath,
            ingress: route.ingress,
            resource: route.resource,
            auth: auth.settings,
            policy: governance.policy,
            session: governance.session,
            gateway: gateway,
            rollout: workload.rollout,
            tools: governance.tools,
            upstreamAuth: upstreamAuth,
            unusableReason: auth.unusableReason,
            rateLimits: rateLimits
        )
    }

    private mutating func checkMetadata() {
        let path = FieldPath("metadata", "name")
        if name.isEmpty {
            issues.required(path, "name is required")
        } else if !Syntax.isDNS1035Label(name) || name.count > 56 {
            issues.invalid(
                path, "\"\(name)\" cannot name the generated Services",
                hint: "use at most 56 lowercase letters, digits and '-', starting with a letter (the operator appends \"-server\" and \"-proxy\")"
            )
        }
    }

    /// Fields kept so that manifests of the original project decode, but not applied.
    private mutating func checkCompatibilityFields() {
        if let analytics = spec.analytics, analytics.disabled != true {
            issues.warn(Self.spec.child("analytics"), "analytics emission is not part of MCP Runtime and is ignored", hint: "remove spec.analytics or set spec.analytics.disabled: true")
        }
        if spec.useProvisionedRegistry == true {
            issues.warn(Self.spec.child("useProvisionedRegistry"), "there is no provisioned registry; the image is used as written", hint: "set spec.registryOverride or a full image reference")
        }
        if let enforceOn = spec.policy?.enforceOn, enforceOn != Defaults.enforceOn {
            issues.warn(Self.spec.child("policy", "enforceOn"), "only \"\(Defaults.enforceOn)\" (tools/call) is enforced; \"\(enforceOn)\" is ignored")
        }
        if let store = spec.session?.store, store != Defaults.sessionStore {
            issues.warn(Self.spec.child("session", "store"), "sessions are always MCPAgentSession objects (store \"\(Defaults.sessionStore)\"); \"\(store)\" is ignored")
        }
    }
}
