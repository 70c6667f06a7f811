import KubeCore
import KubeRuntime
@testable import MCPOperator
import MCPRuntimeAPI
import Testing

@Suite struct NamespaceTriggerTests {
    static func namespace(_ labels: [String: String]?, version: String = "1") -> Namespace {
        var metadata = ObjectMeta(name: "team-b", labels: labels)
        metadata.resourceVersion = version
        return Namespace(metadata: metadata)
    }

    @Test("only a label change, an added or a deleted namespace can change a selector's answer")
    func labelsChanged() {
        let key = ObjectKey(namespace: "", name: "team-b")
        let before = Self.namespace(["mcp": "consumer"]), annotated = Self.namespace(["mcp": "consumer"], version: "2")
        #expect(!NamespaceTrigger.labelsChanged(.applied(key, annotated, previous: before)))
        #expect(NamespaceTrigger.labelsChanged(.applied(key, Self.namespace(nil, version: "2"), previous: before)))
        #expect(NamespaceTrigger.labelsChanged(.applied(key, before, previous: nil)))
        #expect(NamespaceTrigger.labelsChanged(.deleted(key, before)))
    }

    @Test("the servers in other namespaces that the namespace's grants and sessions name")
    func servers() {
        func grant(_ namespace: String, _ server: String, in serverNamespace: String?) -> MCPAccessGrant {
            MCPAccessGrant(metadata: ObjectMeta(name: "g-\(server)", namespace: namespace), spec: MCPAccessGrantSpec(serverRef: ServerReference(name: server, namespace: serverNamespace), subject: SubjectRef(humanID: "x")))
        }
        let grants = [grant("team-b", "weather", in: "team-a"), grant("team-b", "local", in: nil), grant("team-c", "tickets", in: "team-a")]
        let sessions = [MCPAgentSession(metadata: ObjectMeta(name: "s", namespace: "team-b"), spec: MCPAgentSessionSpec(serverRef: ServerReference(name: "docs", namespace: "mcp-servers"), subject: SubjectRef(humanID: "x")))]
        #expect(NamespaceTrigger.servers(boundFrom: "team-b", grants: grants, sessions: sessions) == [ObjectKey(namespace: "team-a", name: "weather"), ObjectKey(namespace: "mcp-servers", name: "docs")])
        #expect(NamespaceTrigger.servers(boundFrom: "team-z", grants: grants, sessions: sessions).isEmpty)
    }
}
