import KubeCore
import MCPManifests
import MCPRuntimeAPI
import Testing

@Suite struct ManifestLoaderTests {
    private func load(_ text: String) -> ManifestSet {
        ManifestLoader.load(text: text, file: "test.yaml")
    }

    private let header = "apiVersion: mcpruntime.org/v1alpha1\nkind: MCPServer\nmetadata:\n  name: weather\n"

    @Test("multi-document YAML with empty documents; the default namespace fills in")
    func multiDocument() throws {
        let set = load("---\n" + header + "spec:\n  image: acme/weather\n---\n---\n" + header.replacingOccurrences(of: "weather", with: "tickets") + "  namespace: support\nspec:\n  image: acme/tickets\n")
        #expect(set.diagnostics.isEmpty, "\(set.diagnostics)")
        #expect(set.objects.map(\.label) == ["MCPServer default/weather", "MCPServer support/tickets"])
        #expect(set.objects.map(\.location.document) == [1, 3])
    }

    @Test("JSON manifests load too")
    func json() {
        let set = load(#"{"apiVersion": "mcpruntime.org/v1alpha1", "kind": "MCPServer", "metadata": {"name": "w"}, "spec": {"image": "a/b", "replicas": 2}}"#)
        #expect(set.diagnostics.isEmpty)
        guard case .server(let server)? = set.objects.first?.object else { Issue.record("no server"); return }
        #expect(server.spec.replicas == 2)
    }

    @Test("a syntax error names its document and line")
    func syntaxError() throws {
        let set = load(header + "spec:\n  image: acme/weather\n---\n" + header + "spec:\n  image: [unclosed\n")
        #expect(set.objects.count == 1)
        let diagnostic = try #require(set.errors.first)
        #expect(diagnostic.location.document == 2)
        #expect(diagnostic.location.line != nil)
        #expect(diagnostic.issue.message.contains("YAML syntax"))
    }

    @Test("an unknown field is an error with a suggestion, and the document's other problems still show")
    func unknownField() throws {
        let set = load(header + "spec:\n  image: \"\"\n  auth:\n    mode: oauth\n    issuerUrl: https://auth.example.com\n")
        let unknown = try #require(set.errors.first { $0.issue.reason == .unknownField })
        #expect(unknown.issue.path.description == "spec.auth.issuerUrl")
        #expect(unknown.issue.hint == "did you mean \"issuerURL\"?")
        #expect(unknown.location.line == 9)
        #expect(set.objects.count == 1, "the object still goes on to validation")
    }

    @Test("a typo far from any field gets no suggestion")
    func unknownFieldWithoutSuggestion() throws {
        let set = load(header + "spec:\n  image: a/b\n  colour: blue\n")
        let unknown = try #require(set.errors.first)
        #expect(unknown.issue.path.description == "spec.colour")
        #expect(unknown.issue.hint?.contains("kubectl explain") == true)
    }

    @Test("wrong types name the field and the expected type")
    func typeMismatch() throws {
        let set = load(header + "spec:\n  image: a/b\n  tools:\n    - name: t\n      sideEffect: read\n      labels: [a]\n")
        let error = try #require(set.errors.first)
        #expect(error.issue.path.description == "spec.tools[0].labels")
        #expect(error.issue.message == "expected an object")
        #expect(error.location.line == 10)
    }

    @Test("a quoted number stays a string; an unquoted one is a number", arguments: [("\"8080\"", false), ("8080", true)])
    func quoting(port: String, valid: Bool) {
        let set = load(header + "spec:\n  image: a/b\n  port: \(port)\n")
        #expect(set.errors.isEmpty == valid)
    }

    @Test("unquoted timestamps stay strings; YAML 1.1 booleans are booleans")
    func scalars() throws {
        let set = load("apiVersion: mcpruntime.org/v1alpha1\nkind: MCPAgentSession\nmetadata:\n  name: s\nspec:\n  serverRef: {name: w}\n  subject: {humanID: a}\n  expiresAt: 2030-01-01T00:00:00Z\n  revoked: yes\n")
        #expect(set.diagnostics.isEmpty, "\(set.diagnostics)")
        guard case .session(let session)? = set.objects.first?.object else { Issue.record("no session"); return }
        #expect(session.spec.expiresAt == "2030-01-01T00:00:00Z")
        #expect(session.spec.revoked == true)
    }

    @Test("unknown kinds and versions are refused", arguments: [
        ("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n", "kind"),
        ("apiVersion: mcpruntime.org/v1alpha1\nkind: MCPSever\nmetadata: {name: s}\nspec: {image: a}\n", "kind"),
        ("apiVersion: v1\nkind: MCPServer\nmetadata: {name: s}\nspec: {image: a}\n", "apiVersion"),
        ("apiVersion: mcpruntime.org/v1beta1\nkind: MCPServer\nmetadata: {name: s}\nspec: {image: a}\n", "apiVersion"),
        ("- a\n- b\n", "<root>"),
        ("apiVersion: mcpruntime.org/v1alpha1\nmetadata: {name: s}\n", "kind"),
    ])
    func refused(text: String, path: String) throws {
        let set = load(text)
        #expect(set.objects.isEmpty)
        #expect(set.errors.first?.issue.path.description == path)
    }

    @Test("core-group documents (Namespaces, Secrets) are skipped without a diagnostic; the MCP objects beside them load")
    func coreDocumentsSkipped() throws {
        let set = load("""
        apiVersion: v1
        kind: Namespace
        metadata: {name: team-a}
        ---
        apiVersion: v1
        kind: Secret
        metadata: {name: weather-api, namespace: team-a}
        stringData: {api-key: example}
        ---
        apiVersion: mcpruntime.org/v1alpha1
        kind: MCPServer
        metadata: {name: weather, namespace: team-a}
        spec: {image: a/b}
        """)
        #expect(set.diagnostics.isEmpty, "\(set.diagnostics)")
        #expect(set.skipped == ["Namespace team-a", "Secret team-a/weather-api"])
        #expect(set.objects.map(\.label) == ["MCPServer team-a/weather"])
        guard case .server(let server)? = set.objects.first?.object else { Issue.record("no server"); return }
        #expect(server.metadata.namespace == "team-a")
        #expect(set.objects.first?.location.document == 3)
    }

    @Test("aliases expand as kubectl expands them")
    func aliases() throws {
        let set = load(header + "spec:\n  image: a/b\n  prompts: [{name: p, labels: &l {x: \"1\"}}]\n  tasks: [{name: t, labels: *l}]\n")
        #expect(set.diagnostics.isEmpty, "\(set.diagnostics)")
        guard case .server(let server)? = set.objects.first?.object else { Issue.record("no server"); return }
        #expect(server.spec.tasks?.first?.labels == ["x": "1"])
    }

    @Test("an alias bomb is refused by the node budget instead of exhausting memory")
    func aliasBomb() throws {
        var lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
        for level in 1...8 {
            lines.append("a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ") + "]")
        }
        let set = load(lines.joined(separator: "\n") + "\n")
        #expect(set.objects.isEmpty)
        #expect(set.errors.first?.issue.message == "document has more than \(YAMLDocuments.maxNodes) nodes")
    }

    @Test("duplicate keys are refused")
    func duplicateKeys() {
        let set = load(header + "spec:\n  image: a\n  image: b\n")
        #expect(set.errors.count == 1)
    }

    @Test("a manifest of the original project decodes, with its compatibility fields")
    func originalManifest() throws {
        let set = load("""
        apiVersion: mcpruntime.org/v1alpha1
        kind: MCPServer
        metadata:
          name: legacy
          namespace: mcp-servers
        spec:
          image: registry.local/legacy-mcp
          registryOverride: registry.example.com
          useProvisionedRegistry: false
          imagePullSecrets: [regcred]
          port: 8088
          servicePort: 80
          ingressPath: /legacy/mcp
          ingressHost: mcp.example.com
          publicPathPrefix: legacy
          ingressClass: traefik
          resources: {limits: {cpu: 500m, memory: 256Mi}, requests: {cpu: 50m, memory: 64Mi}}
          tools: [{name: lookup, sideEffect: read, riskLevel: low, labels: {area: x}}]
          prompts: [{name: p}]
          mcpResources: [{name: r}]
          tasks: [{name: t}]
          auth: {mode: header}
          policy: {mode: observe, enforceOn: call_tool}
          session: {required: false, store: kubernetes}
          gateway: {enabled: true, port: 8091, stripPrefix: /legacy}
          analytics: {disabled: true}
          rollout: {strategy: RollingUpdate, maxUnavailable: "1", maxSurge: 25%}
        status:
          phase: Ready
          deploymentReady: true
        """)
        #expect(set.errors.map(\.issue.path.description) == ["status.deploymentReady"], "only the original's readiness booleans, which this status replaces with conditions")
        #expect(set.objects.count == 1)
    }
}
