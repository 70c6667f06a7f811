import KubeCore
import MCPRuntimeAPI

/// Resolves a set of servers, grants and sessions together, checks what only the set
/// can tell (a grant pointing at a missing server, or at one whose `spec.bindings` does
/// not accept its namespace; duplicate servers), and renders every usable server with
/// the grants and sessions it accepts. Pure: the CLI feeds it manifests, tests values.
public struct RenderPlan: Sendable {
    /// Which input an issue belongs to, by index into the arrays given to `make`.
    public enum Source: Sendable, Hashable {
        case server(Int)
        case grant(Int)
        case session(Int)
    }

    public struct Finding: Sendable {
        public var source: Source
        public var issue: ValidationIssue
    }

    /// Rendered servers, ordered by namespace and name.
    public var rendered: [RenderedServer] = []
    public var findings: [Finding] = []

    public var errors: [Finding] { findings.filter { $0.issue.severity == .error } }

    /// `namespaces`: the labels of the namespaces bindings come from, for
    /// `spec.bindings.namespaceSelector`; a namespace not in it matches no selector.
    public static func make(
        servers: [MCPServer], grants: [MCPAccessGrant], sessions: [MCPAgentSession],
        namespaces: NamespaceLabels = NamespaceLabels(), options: RenderOptions = RenderOptions()
    ) -> RenderPlan {
        var plan = RenderPlan()
        var resolved: [ServerKey: ResolvedServer] = [:]
        var consents: [ServerKey: BindingConsent] = [:]
        for (index, server) in servers.enumerated() {
            let resolution = server.resolve()
            plan.report(resolution.issues, .server(index))
            let key = ServerKey(namespace: server.metadata.namespace ?? "default", name: server.metadata.name ?? "")
            if consents[key] != nil {
                plan.report([ValidationIssue(.error, .duplicate, FieldPath("metadata", "name"), "MCPServer \(key) is defined more than once")], .server(index))
                continue
            }
            consents[key] = server.bindingConsent(namespaces: namespaces)
            if let value = resolution.server { resolved[key] = value }
        }

        var boundGrants: [ServerKey: [ResolvedGrant]] = [:]
        for (index, grant) in grants.enumerated() {
            let resolution = grant.resolve()
            plan.report(resolution.issues, .grant(index))
            guard let value = resolution.value else { continue }
            if plan.binds(value.namespace, to: value.server, consents: consents, .grant(index)) {
                boundGrants[value.server, default: []].append(value)
            }
        }
        var boundSessions: [ServerKey: [ResolvedAgentSession]] = [:]
        for (index, session) in sessions.enumerated() {
            let resolution = session.resolve()
            plan.report(resolution.issues, .session(index))
            guard let value = resolution.value else { continue }
            if plan.binds(value.namespace, to: value.server, consents: consents, .session(index)) {
                if value.upstreamToken != nil, value.namespace != value.server.namespace {
                    plan.report([ValidationIssue(.warning, .forbidden, FieldPath("spec", "upstreamTokenSecretRef"), "ignored: the proxy can read Secrets only in the server's namespace \(value.server.namespace)", hint: "create the session in namespace \(value.server.namespace)")], .session(index))
                }
                boundSessions[value.server, default: []].append(value)
            }
        }

        plan.rendered = resolved.keys.sorted().compactMap { key in
            resolved[key].map { ServerRenderer.render($0, grants: boundGrants[key] ?? [], sessions: boundSessions[key] ?? [], options: options) }
        }
        return plan
    }

    private mutating func report(_ issues: [ValidationIssue], _ source: Source) {
        findings += issues.map { Finding(source: source, issue: $0) }
    }

    /// True when the referenced server is among the inputs and accepts bindings from
    /// `namespace`; reports why not otherwise.
    private mutating func binds(_ namespace: String, to key: ServerKey, consents: [ServerKey: BindingConsent], _ source: Source) -> Bool {
        guard let consent = consents[key] else {
            report([ValidationIssue(.error, .notSupported, FieldPath("spec", "serverRef", "name"), "MCPServer \(key) is not among the manifests", hint: "check spec.serverRef.name and spec.serverRef.namespace, or include the server's manifest")], source)
            return false
        }
        guard case .refused(let why) = consent.decide(namespace) else { return true }
        report([ValidationIssue(
            .error, .forbidden, FieldPath("spec", "serverRef", "namespace"),
            "MCPServer \(key) does not accept grants and sessions from namespace \(namespace): \(why)",
            hint: "the server's owner can admit namespace \(namespace) in its spec.bindings (from: Selector with namespaces: [\(namespace)], or a namespaceSelector that matches it)"
        )], source)
        return false
    }
}
