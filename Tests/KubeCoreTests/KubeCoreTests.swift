import Foundation
import KubeCore
import Testing

@Suite struct KubeCoreTests {
    @Test("field paths print as Kubernetes prints them")
    func fieldPaths() {
        #expect(FieldPath("spec", "tools").index(0).child("name").description == "spec.tools[0].name")
        #expect(FieldPath().description == "<root>")
    }

    @Test("JSON trees round-trip with integers kept exact")
    func jsonValue() throws {
        let text = #"{"a":[1,2.5,"x",true,null],"big":9007199254740993,"o":{}}"#
        let tree = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        #expect(tree["big"] == .int(9_007_199_254_740_993))
        #expect(String(decoding: try KubeJSON.encode(tree), as: UTF8.self) == text)
    }

    @Test("sorted keys make encoding deterministic")
    func deterministic() throws {
        let meta = ObjectMeta(name: "x", namespace: "y", labels: ["b": "2", "a": "1", "c": "3"])
        let once = try KubeJSON.encode(meta)
        #expect(String(decoding: once, as: UTF8.self) == #"{"labels":{"a":"1","b":"2","c":"3"},"name":"x","namespace":"y"}"#)
    }

    @Test("IntOrString keeps ints and strings apart")
    func intOrString() throws {
        let values = try JSONDecoder().decode([IntOrString].self, from: Data(#"[8080,"http","25%"]"#.utf8))
        #expect(values == [.int(8080), .string("http"), .string("25%")])
    }
}
