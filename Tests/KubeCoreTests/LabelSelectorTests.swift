import Foundation
import KubeCore
import Testing

@Suite struct LabelSelectorTests {
    static let labels = ["team": "b", "tier": "prod"]

    @Test("matchLabels and every expression must hold")
    func conjunction() {
        #expect(LabelSelector(matchLabels: ["team": "b"]).matches(Self.labels))
        #expect(!LabelSelector(matchLabels: ["team": "b", "tier": "dev"]).matches(Self.labels))
        #expect(!LabelSelector(matchLabels: ["team": "b"], matchExpressions: [LabelSelectorRequirement(key: "tier", operator: "In", values: ["dev"])]).matches(Self.labels))
        #expect(LabelSelector(matchLabels: ["team": "b"], matchExpressions: [LabelSelectorRequirement(key: "tier", operator: "In", values: ["dev", "prod"])]).matches(Self.labels))
    }

    @Test("In, NotIn, Exists and DoesNotExist as Kubernetes defines them")
    func operators() {
        func match(_ op: String, _ key: String, _ values: [String]? = nil) -> Bool {
            LabelSelector(matchExpressions: [LabelSelectorRequirement(key: key, operator: op, values: values)]).matches(Self.labels)
        }
        #expect(match("In", "team", ["a", "b"]))
        #expect(!match("In", "missing", ["b"]), "In needs the label")
        #expect(!match("NotIn", "team", ["b"]))
        #expect(match("NotIn", "missing", ["b"]), "NotIn holds for an absent label")
        #expect(match("Exists", "team"))
        #expect(!match("Exists", "missing"))
        #expect(match("DoesNotExist", "missing"))
        #expect(!match("DoesNotExist", "team"))
        #expect(!match("in", "team", ["b"]), "an unknown operator selects nothing")
    }

    @Test("an empty selector selects everything and says so")
    func empty() {
        #expect(LabelSelector().isEmpty)
        #expect(LabelSelector(matchLabels: [:], matchExpressions: []).isEmpty)
        #expect(LabelSelector().matches([:]))
        #expect(!LabelSelector(matchLabels: ["a": "b"]).isEmpty)
    }

    @Test("selectors encode as the API has them, without absent fields")
    func encoding() throws {
        let selector = LabelSelector(matchLabels: ["a": "b"], matchExpressions: [LabelSelectorRequirement(key: "k", operator: "Exists")])
        #expect(String(decoding: try KubeJSON.encode(selector), as: UTF8.self) == #"{"matchExpressions":[{"key":"k","operator":"Exists"}],"matchLabels":{"a":"b"}}"#)
        #expect(String(decoding: try KubeJSON.encode(LabelSelector(matchLabels: ["a": "b"])), as: UTF8.self) == #"{"matchLabels":{"a":"b"}}"#)
    }

    @Test("a Namespace decodes from a list item without apiVersion and kind, as the API lists them")
    func namespaceListItem() throws {
        let namespace = try JSONDecoder().decode(Namespace.self, from: Data(#"{"metadata":{"name":"team-b","labels":{"kubernetes.io/metadata.name":"team-b"}},"spec":{"finalizers":["kubernetes"]},"status":{"phase":"Active"}}"#.utf8))
        #expect(namespace.metadata.labels?[Namespace.nameLabel] == "team-b")
    }
}
