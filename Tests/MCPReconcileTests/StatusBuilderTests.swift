import Foundation
import KubeCore
import MCPReconcile
import MCPRuntimeAPI
import MCPRuntimeRender
import Testing

@Suite struct StatusBuilderTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    static func server(_ change: (inout MCPServerSpec) -> Void = { _ in }) -> MCPServer {
        var spec = MCPServerSpec(image: "ghcr.io/acme/docs-mcp:1.0")
        spec.ingressHost = "mcp.example.com"
        spec.publicPathPrefix = "docs"
        spec.auth = AuthConfig(mode: "none")
        spec.replicas = 2
        change(&spec)
        var metadata = ObjectMeta(name: "docs", namespace: "team-a")
        metadata.generation = 3
        return MCPServer(metadata: metadata, spec: spec)
    }

    static func deployment(_ name: String, ready: Int, updated: Int, generation: Int64 = 1, observed: Int64 = 1) -> Deployment {
        var meta = ObjectMeta(name: name, namespace: "team-a")
        meta.generation = generation
        var deployment = Deployment(metadata: meta, spec: DeploymentSpec(replicas: 2, selector: LabelSelector(matchLabels: [:]), strategy: nil, template: PodTemplateSpec(metadata: ObjectMeta(), spec: PodSpec(containers: []))))
        var status = DeploymentStatus()
        status.readyReplicas = ready
        status.updatedReplicas = updated
        status.observedGeneration = observed
        deployment.status = status
        return deployment
    }

    static func observe(_ server: MCPServer, proxy: Deployment? = nil, workload: Deployment? = nil, failure: String? = nil) -> ServerObservation {
        let plan = RenderPlan.make(servers: [server], grants: [], sessions: [])
        return ServerObservation(generation: server.metadata.generation, resolution: server.resolve(), rendered: plan.rendered.first, applyFailure: failure, proxy: proxy, workload: workload)
    }

    func condition(_ status: MCPServerStatus, _ type: String) -> Condition? { status.conditions?.first { $0.type == type } }

    @Test("all rolled out: Ready, url, observedGeneration, config revision, every condition True")
    func ready() {
        let observation = Self.observe(Self.server(), proxy: Self.deployment("docs-proxy", ready: 2, updated: 2), workload: Self.deployment("docs-server", ready: 2, updated: 2))
        let status = ServerStatusBuilder.status(observation, previous: nil, now: Self.now)
        #expect(status.phase == "Ready")
        #expect(status.url == "https://mcp.example.com/docs/mcp")
        #expect(status.observedGeneration == 3)
        #expect(status.configRevision?.hasPrefix("sha256:") == true)
        #expect(status.conditions?.map(\.type) == ServerStatusBuilder.conditionTypes)
        #expect(status.conditions?.allSatisfy { $0.status == "True" && $0.observedGeneration == 3 } == true)
    }

    @Test("one Deployment ready: PartiallyReady, Ready False naming what is missing")
    func partial() {
        let observation = Self.observe(Self.server(), proxy: Self.deployment("docs-proxy", ready: 2, updated: 2), workload: Self.deployment("docs-server", ready: 1, updated: 2))
        let status = ServerStatusBuilder.status(observation, previous: nil, now: Self.now)
        #expect(status.phase == "PartiallyReady")
        #expect(condition(status, "Ready")?.status == "False")
        #expect(condition(status, "Ready")?.message == "ServerReady: Deployment docs-server: 1/2 replicas ready, 2 updated; see kubectl describe deployment docs-server")
    }

    @Test("a Deployment whose new spec is not observed yet is Progressing, whatever its old replicas say")
    func progressing() {
        let observation = Self.observe(Self.server(), proxy: Self.deployment("docs-proxy", ready: 2, updated: 2, generation: 2, observed: 1), workload: nil)
        let status = ServerStatusBuilder.status(observation, previous: nil, now: Self.now)
        #expect(condition(status, "ProxyReady")?.reason == "Progressing")
        #expect(condition(status, "ServerReady")?.reason == "NotCreated")
        #expect(status.phase == "Pending")
    }

    @Test("an invalid spec: Error with the field and hint, conditions False, the last url kept")
    func invalid() {
        var previous = MCPServerStatus()
        previous.url = "https://mcp.example.com/docs/mcp"
        previous.conditions = [Condition(type: "ProxyReady", status: "True", lastTransitionTime: "t0")]
        let server = Self.server { $0.replicas = -1 }
        let status = ServerStatusBuilder.status(Self.observe(server), previous: previous, now: Self.now)
        #expect(status.phase == "Error")
        #expect(status.url == previous.url)
        #expect(condition(status, "Ready")?.reason == "InvalidSpec")
        #expect(condition(status, "Ready")?.message?.contains("spec.replicas") == true)
        #expect(condition(status, "ProxyReady")?.lastTransitionTime == "t0", "readiness of what keeps running is carried")
    }

    @Test("without oauth a server needs no resource URI; in oauth mode it is derived from the host")
    func resourceURI() {
        let hostless = Self.server { $0.ingressHost = nil; $0.publicPathPrefix = nil }
        let status = ServerStatusBuilder.status(Self.observe(hostless), previous: nil, now: Self.now)
        #expect(status.url == nil)
        #expect(condition(status, "ResourceURIResolved")?.status == "True")
        #expect(condition(status, "ResourceURIResolved")?.reason == "NotRequired")
        let oauth = Self.server { $0.auth = AuthConfig(mode: "oauth", issuerURL: "https://idp.example.com") }
        let resolved = ServerStatusBuilder.status(Self.observe(oauth), previous: nil, now: Self.now)
        #expect(condition(resolved, "ResourceURIResolved")?.message == "tokens must be issued for https://mcp.example.com/docs/mcp")
    }

    @Test("a failed apply is an Error naming the API's message")
    func applyFailed() {
        let observation = Self.observe(Self.server(), failure: "Deployment docs-proxy: forbidden")
        let status = ServerStatusBuilder.status(observation, previous: nil, now: Self.now)
        #expect(status.phase == "Error")
        #expect(condition(status, "ConfigRendered")?.reason == "ApplyFailed")
        #expect(condition(status, "ConfigRendered")?.message == "Deployment docs-proxy: forbidden")
    }

    @Test("the same observation twice is the same status: lastTransitionTime moves only on a flip")
    func stable() {
        let observation = Self.observe(Self.server(), proxy: Self.deployment("docs-proxy", ready: 2, updated: 2), workload: Self.deployment("docs-server", ready: 0, updated: 0))
        let first = ServerStatusBuilder.status(observation, previous: nil, now: Self.now)
        let second = ServerStatusBuilder.status(observation, previous: first, now: Self.now.addingTimeInterval(60))
        #expect(first == second)
        let flipped = Self.observe(Self.server(), proxy: Self.deployment("docs-proxy", ready: 2, updated: 2), workload: Self.deployment("docs-server", ready: 2, updated: 2))
        let third = ServerStatusBuilder.status(flipped, previous: second, now: Self.now.addingTimeInterval(120))
        #expect(condition(third, "ServerReady")?.lastTransitionTime == ServerStatusBuilder.timestamp(Self.now.addingTimeInterval(120)))
        #expect(condition(third, "ProxyReady")?.lastTransitionTime == ServerStatusBuilder.timestamp(Self.now))
    }

    @Test("header mode without trusted sources says every pod is trusted, without keeping the server from Ready")
    func headerSources() {
        let rolledOut = (Self.deployment("docs-proxy", ready: 2, updated: 2), Self.deployment("docs-server", ready: 2, updated: 2))
        let open = ServerStatusBuilder.status(Self.observe(Self.server { $0.auth = AuthConfig(mode: "header") }, proxy: rolledOut.0, workload: rolledOut.1), previous: nil, now: Self.now)
        let warning = condition(open, "HeaderSourcesRestricted")
        #expect(warning?.status == "False" && warning?.reason == "AnyPodTrusted")
        #expect(warning?.message?.contains("the proxy trusts identity headers from every pod that can reach it") == true)
        #expect(open.phase == "Ready" && condition(open, "Ready")?.status == "True", "a warning, not a failure: existing header-mode servers keep serving")

        var auth = AuthConfig(mode: "header")
        auth.trustedSources = [TrustedSource(podSelector: LabelSelector(matchLabels: ["app": "sso"]))]
        let sealed = ServerStatusBuilder.status(Self.observe(Self.server { $0.auth = auth }, proxy: rolledOut.0, workload: rolledOut.1), previous: nil, now: Self.now)
        #expect(condition(sealed, "HeaderSourcesRestricted")?.status == "True")
        #expect(condition(sealed, "HeaderSourcesRestricted")?.message == "NetworkPolicy docs-proxy admits only spec.auth.trustedSources to the proxy's port 8091")
        #expect(condition(ServerStatusBuilder.status(Self.observe(Self.server()), previous: nil, now: Self.now), "HeaderSourcesRestricted")?.reason == "NotRequired")

        let invalid = ServerStatusBuilder.status(Self.observe(Self.server { $0.auth = AuthConfig(mode: "header"); $0.replicas = -1 }), previous: open, now: Self.now)
        #expect(condition(invalid, "HeaderSourcesRestricted") == warning, "an invalid spec changes nothing that runs: the condition is carried")
    }

    static let consent = BindingConsent(server: ServerKey(namespace: "team-a", name: "docs"), admission: .sameNamespace)

    @Test("grant and session states: bound, server missing, disabled, revoked, expired, invalid")
    func bindings() {
        let valid = BindingStatusBuilder.Server.valid(Self.consent), invalid = BindingStatusBuilder.Server.invalid(Self.consent)
        var grant = MCPAccessGrant(metadata: ObjectMeta(name: "alice", namespace: "team-a"), spec: MCPAccessGrantSpec(serverRef: ServerReference(name: "docs"), subject: SubjectRef(humanID: "alice")))
        #expect(BindingStatusBuilder.grant(grant, server: valid, now: Self.now) == .bound)
        #expect(BindingStatusBuilder.grant(grant, server: .missing, now: Self.now) == .serverNotFound)
        #expect(BindingStatusBuilder.grant(grant, server: invalid, now: Self.now) == .serverInvalid, "not enforced until the server is valid")
        grant.spec.disabled = true
        #expect(BindingStatusBuilder.grant(grant, server: valid, now: Self.now) == .disabled)
        #expect(BindingStatusBuilder.grant(grant, server: invalid, now: Self.now) == .disabled, "disables reach an invalid server's config")
        var session = MCPAgentSession(metadata: ObjectMeta(name: "s", namespace: "team-a"), spec: MCPAgentSessionSpec(serverRef: ServerReference(name: "docs"), subject: SubjectRef(humanID: "alice", agentID: "bot"), expiresAt: "2020-01-01T00:00:00Z"))
        #expect(BindingStatusBuilder.session(session, server: valid, now: Self.now) == .expired(Date(timeIntervalSince1970: 1_577_836_800)))
        session.spec.revoked = true
        #expect(BindingStatusBuilder.session(session, server: valid, now: Self.now) == .revoked)
        session.spec.subject = nil
        guard case .invalid(let why) = BindingStatusBuilder.session(session, server: valid, now: Self.now) else {
            Issue.record("a session without subject is invalid")
            return
        }
        #expect(why.contains("spec.subject"))

        let status = BindingStatusBuilder.status(.serverNotFound, server: ServerKey(namespace: "team-a", name: "docs"), generation: 2, previous: nil, now: Self.now)
        #expect(status.phase == "ServerNotFound")
        #expect(status.message == "MCPServer team-a/docs does not exist: check spec.serverRef.name and spec.serverRef.namespace")
        #expect(status.conditions?.first?.status == "False")
        #expect(status.observedGeneration == 2)
    }

    @Test("a binding from a namespace the server does not accept says so, first, valid server or not")
    func namespaceNotAllowed() {
        var grant = MCPAccessGrant(metadata: ObjectMeta(name: "mallory", namespace: "team-b"), spec: MCPAccessGrantSpec(serverRef: ServerReference(name: "docs", namespace: "team-a"), subject: SubjectRef(humanID: "mallory"), maxTrust: "high"))
        let refused = BindingStatusBuilder.State.namespaceNotAllowed(namespace: "team-b", why: "it accepts grants and sessions from its own namespace team-a only (spec.bindings.from: Same, the default)")
        #expect(BindingStatusBuilder.grant(grant, server: .valid(Self.consent), now: Self.now) == refused)
        #expect(BindingStatusBuilder.grant(grant, server: .invalid(Self.consent), now: Self.now) == refused)
        #expect(BindingStatusBuilder.grant(grant, server: .missing, now: Self.now) == .serverNotFound)
        grant.spec.disabled = true
        #expect(BindingStatusBuilder.grant(grant, server: .valid(Self.consent), now: Self.now) == refused, "not in the config at all, disabled or not")
        grant.spec.disabled = false
        let consenting = BindingConsent(server: Self.consent.server, admission: .selected(names: ["team-b"], selector: nil))
        #expect(BindingStatusBuilder.grant(grant, server: .valid(consenting), now: Self.now) == .bound)
        #expect(BindingStatusBuilder.grant(grant, server: .invalid(consenting), now: Self.now) == .serverInvalid)
        let session = MCPAgentSession(metadata: ObjectMeta(name: "s", namespace: "team-b"), spec: MCPAgentSessionSpec(serverRef: ServerReference(name: "docs", namespace: "team-a"), subject: SubjectRef(humanID: "mallory")))
        #expect(BindingStatusBuilder.session(session, server: .valid(Self.consent), now: Self.now) == refused)

        let status = BindingStatusBuilder.status(refused, server: Self.consent.server, generation: 1, previous: nil, now: Self.now)
        #expect(status.phase == "NamespaceNotAllowed")
        #expect(status.conditions?.first?.reason == "NamespaceNotAllowed" && status.conditions?.first?.status == "False")
        #expect(status.message?.hasPrefix("MCPServer team-a/docs does not accept grants and sessions from namespace team-b: it accepts grants and sessions from its own namespace team-a only") == true)
        #expect(status.message?.contains("spec.bindings") == true)
    }
}
