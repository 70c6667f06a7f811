import KubeCore
import MCPRuntimeAPI
import Testing

/// Which namespaces' grants and sessions a server accepts (`spec.bindings`).
@Suite struct BindingConsentTests {
    static let server = ServerKey(namespace: "team-a", name: "weather")
    static let namespaces = NamespaceLabels(["team-b": ["kubernetes.io/metadata.name": "team-b", "mcp": "consumer"], "team-c": ["kubernetes.io/metadata.name": "team-c"]])

    static func admission(_ bindings: BindingsConfig?) -> BindingAdmission {
        let server = Fixtures.server { $0.bindings = bindings }
        #expect(server.resolve().server != nil)
        return server.bindingAdmission()
    }

    static func decide(_ admission: BindingAdmission, _ namespace: String, labels: NamespaceLabels = namespaces) -> AdmissionDecision {
        BindingConsent(server: server, admission: admission, namespaces: labels).decide(namespace)
    }

    @Test("without spec.bindings, or with from: Same, only the server's own namespace binds")
    func sameByDefault() throws {
        for bindings in [nil, BindingsConfig(), BindingsConfig(from: "Same")] {
            let admission = Self.admission(bindings)
            #expect(admission == .sameNamespace)
            #expect(Self.decide(admission, "team-a") == .admitted)
            guard case .refused(let why) = Self.decide(admission, "team-b") else {
                Issue.record("another namespace binds without consent")
                continue
            }
            #expect(why.contains("from its own namespace team-a only"))
        }
    }

    @Test("from: All admits every namespace")
    func all() throws {
        let admission = Self.admission(BindingsConfig(from: "All"))
        #expect(Self.decide(admission, "anything") == .admitted)
    }

    @Test("from: Selector admits the namespaces named and those whose labels match, nothing else")
    func selector() throws {
        let named = Self.admission(BindingsConfig(from: "Selector", namespaces: ["team-c"]))
        #expect(Self.decide(named, "team-c") == .admitted)
        #expect(Self.decide(named, "team-b") == .refused("namespace team-b is not in its spec.bindings.namespaces"))
        #expect(Self.decide(named, "team-a") == .admitted, "its own namespace always")

        let labelled = Self.admission(BindingsConfig(from: "Selector", namespaceSelector: LabelSelector(matchLabels: ["mcp": "consumer"])))
        #expect(Self.decide(labelled, "team-b") == .admitted)
        #expect(Self.decide(labelled, "team-c") == .refused("the labels of namespace team-c do not match its spec.bindings.namespaceSelector"))

        let both = Self.admission(BindingsConfig(from: "Selector", namespaces: ["team-c"], namespaceSelector: LabelSelector(matchExpressions: [LabelSelectorRequirement(key: "mcp", operator: "Exists")])))
        #expect(Self.decide(both, "team-b") == .admitted)
        #expect(Self.decide(both, "team-c") == .admitted)
        #expect(Self.decide(both, "team-d") != .admitted)
    }

    @Test("a namespace whose labels are unknown matches no selector (fail closed)")
    func unknownLabels() throws {
        let admission = Self.admission(BindingsConfig(from: "Selector", namespaceSelector: LabelSelector(matchExpressions: [LabelSelectorRequirement(key: "mcp", operator: "DoesNotExist")])))
        #expect(Self.decide(admission, "team-c") == .admitted)
        guard case .refused(let why) = Self.decide(admission, "team-z") else {
            Issue.record("an unknown namespace matched DoesNotExist")
            return
        }
        #expect(why.contains("the labels of namespace team-z are unknown"))
    }

    @Test("spec.bindings resolved alone: what it says, or the own namespace only when it is invalid")
    func alone() {
        var server = Fixtures.server { $0.replicas = -1; $0.bindings = BindingsConfig(from: "All") }
        #expect(server.resolve().server == nil)
        #expect(server.bindingAdmission() == .allNamespaces, "the rest of the spec does not matter")
        server.spec.bindings = BindingsConfig(from: "Selector")
        #expect(server.bindingAdmission() == .sameNamespace)
        server.spec.bindings = BindingsConfig(from: "Selector", namespaces: ["team-b", "Bad"])
        #expect(server.bindingAdmission() == .sameNamespace, "an invalid spec.bindings admits nothing more")
    }
}
