import Foundation
import KubeCore
import Testing

@Suite struct ThreeWayMergeTests {
    func json(_ text: String) throws -> JSONValue { try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) }

    @Test("nothing to write when live has the intent plus server defaults")
    func unchanged() throws {
        let desired = try json(#"{"spec":{"replicas":2,"template":{"spec":{"containers":[{"name":"a","image":"x"}]}}}}"#)
        let live = try json(#"{"spec":{"replicas":2,"progressDeadlineSeconds":600,"template":{"spec":{"dnsPolicy":"ClusterFirst","containers":[{"name":"a","image":"x","imagePullPolicy":"IfNotPresent"}]}}},"status":{"replicas":2}}"#)
        #expect(ThreeWayMerge.patch(lastApplied: desired, desired: desired, live: live) == nil)
        #expect(ThreeWayMerge.patch(lastApplied: nil, desired: desired, live: live) == nil)
    }

    @Test("a drifted field is patched back; untouched fields are not in the patch")
    func drift() throws {
        let desired = try json(#"{"metadata":{"labels":{"a":"1"}},"spec":{"replicas":2,"type":"ClusterIP"}}"#)
        let live = try json(#"{"metadata":{"labels":{"a":"1"}},"spec":{"replicas":5,"type":"ClusterIP","clusterIP":"10.0.0.1"}}"#)
        #expect(ThreeWayMerge.patch(lastApplied: desired, desired: desired, live: live) == (try json(#"{"spec":{"replicas":2}}"#)))
    }

    @Test("a field the last intent had and this one drops is removed; one set by others stays")
    func removal() throws {
        let last = try json(#"{"metadata":{"labels":{"a":"1","b":"2"}},"spec":{"rules":[1]}}"#)
        let desired = try json(#"{"metadata":{"labels":{"a":"1"}}}"#)
        let live = try json(#"{"metadata":{"labels":{"a":"1","b":"2","c":"others"}},"spec":{"rules":[1]}}"#)
        #expect(ThreeWayMerge.patch(lastApplied: last, desired: desired, live: live) == (try json(#"{"metadata":{"labels":{"b":null}},"spec":null}"#)))
    }

    @Test("a list entry that lost a field is replaced whole, found through the last intent")
    func listEntryLostField() throws {
        let last = try json(#"{"containers":[{"name":"a","command":["run"]}]}"#)
        let desired = try json(#"{"containers":[{"name":"a"}]}"#)
        let live = try json(#"{"containers":[{"name":"a","command":["run"],"imagePullPolicy":"Always"}]}"#)
        #expect(ThreeWayMerge.patch(lastApplied: last, desired: desired, live: live) == desired)
    }

    @Test("the intent is recorded in an annotation and read back without itself")
    func annotation() throws {
        let object = try json(#"{"metadata":{"name":"x","annotations":{"keep":"1"}},"data":{"k":"v"}}"#)
        let annotated = ThreeWayMerge.annotated(object)
        #expect(annotated["metadata"]?["annotations"]?["keep"] == .string("1"))
        #expect(ThreeWayMerge.lastApplied(of: annotated) == object)
        #expect(ThreeWayMerge.annotated(annotated) == annotated, "annotating twice changes nothing")
        #expect(ThreeWayMerge.patch(lastApplied: ThreeWayMerge.lastApplied(of: annotated), desired: annotated, live: annotated) == nil)
    }

    @Test("numbers compare by value")
    func numbers() {
        #expect(ThreeWayMerge.covers(.int(1), .double(1.0)))
        #expect(!ThreeWayMerge.covers(.int(1), .string("1")))
    }

    @Test("a condition keeps its transition time unless its status flips")
    func conditions() {
        let previous = [Condition(type: "Ready", status: "True", lastTransitionTime: "t0"), Condition(type: "ProxyReady", status: "False", lastTransitionTime: "t0")]
        let next = [Condition(type: "Ready", status: "True", reason: "Changed"), Condition(type: "ProxyReady", status: "True"), Condition(type: "New", status: "False")]
        #expect(Condition.merge(previous: previous, next: next, now: "t1").map(\.lastTransitionTime) == ["t0", "t1", "t1"])
    }
}
