import StrictJSON
import Foundation
import KubeCore
import MCPAuth
import Testing

/// The proxy must decide on exactly what the upstream executes: every body that parsers
/// may read differently is refused (see also Tests/integration/test_json_differential.py,
/// which checks the same against Python's json, pydantic and a case-insensitive decoder).
@Suite struct StrictJSONTests {
    static let call = #"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"get_forecast","arguments":{"city":"Oslo"}}}"#

    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    static func isInvalid(_ body: [UInt8]) -> Bool {
        if case .invalid = JSONRPCMessage.inspect(body) { return true }
        return false
    }

    @Test("duplicate member names are refused at any depth, compared after unescaping", arguments: [
        #"{"jsonrpc":"2.0","id":1,"method":"tools/list","method":"tools/call","params":{"name":"delete_alerts"}}"#,
        #"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"get_forecast","name":"delete_alerts"}}"#,
        #"{"jsonrpc":"2.0","id":1,"id":2,"method":"tools/list"}"#,
        #"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x"},"params":{"name":"y"}}"#,
        #"{"jsonrpc":"2.0","id":1,"method":"tools/list","m\u0065thod":"tools/call","params":{"name":"x"}}"#,
        #"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x","n\u0061me":"y"}}"#,
        #"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x","arguments":{"a":1,"a":2}}}"#,
        #"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x","arguments":{"deep":[{"k":{"z":1,"\u007a":2}}]}}}"#,
        #"{"jsonrpc":"2.0","jsonrpc":"1.0","id":1,"method":"ping"}"#,
        #"{"id":1,"result":{},"result":{}}"#,
    ])
    func duplicates(body: String) {
        guard case .invalid(let why) = JSONRPCMessage.inspect(Self.bytes(body)) else { Issue.record("accepted: \(body)"); return }
        #expect(why.contains("twice"))
    }

    @Test("a JSON-RPC member spelt in another case (which case-insensitive decoders take for it) is refused", arguments: [
        #"{"jsonrpc":"2.0","id":1,"Method":"tools/call","result":{},"params":{"name":"x"}}"#,
        #"{"jsonrpc":"2.0","id":1,"method":"tools/list","METHOD":"tools/call","params":{"name":"x"}}"#,
        #"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"get_forecast","Name":"delete_alerts"}}"#,
        #"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x"},"Params":{"name":"y"}}"#,
        #"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x"},"param\u017f":{"name":"y"}}"#,
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"x\"},\"param\u{17F}\":{\"name\":\"y\"}}",
        #"{"jsonrpc":"2.0","ID":2,"id":1,"method":"ping"}"#,
        #"{"jsonrpc":"2.0","id":1,"Result":{}}"#,
        #"{"JSONRPC":"2.0","id":1,"method":"ping"}"#,
    ])
    func caseVariants(body: String) {
        #expect(Self.isInvalid(Self.bytes(body)), "accepted: \(body)")
    }

    @Test("strings: invalid UTF-8, lone surrogates and control characters are refused", arguments: [
        [0xED, 0xA0, 0x80],  // an encoded surrogate
        [0xC0, 0xAF],  // overlong "/"
        [0xE0, 0x80, 0xAF],  // overlong
        [0xF4, 0x90, 0x80, 0x80],  // beyond U+10FFFF
        [0xF5, 0x80, 0x80, 0x80],
        [0x80],  // a stray continuation byte
        [0xE2, 0x82],  // truncated
        [0xFF],
        Array(#"\ud800"#.utf8),  // a lone high surrogate
        Array(#"\udc00"#.utf8),  // a lone low surrogate
        Array(#"\udc00\ud800"#.utf8),  // a pair in the wrong order
        Array(#"\ud800\u0041"#.utf8),
        Array(#"\x41"#.utf8),  // not a JSON escape
        Array(#"\u00G1"#.utf8),
        [0x09],  // a raw tab
        [0x00],
        [0x1F],
    ] as [[UInt8]])
    func badStrings(inside: [UInt8]) {
        let name = Self.bytes(#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"get"#) + inside + Self.bytes(#""}}"#)
        #expect(Self.isInvalid(name))
        let argument = Self.bytes(#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x","arguments":{"v":""#) + inside + Self.bytes(#""}}}"#)
        #expect(Self.isInvalid(argument), "refused in a tool's arguments too, which are never materialized")
    }

    @Test("not JSON's grammar: refused", arguments: [
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"} x",  // trailing data
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"x\"}}",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}\u{0}",
        "\u{FEFF}{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}",  // a byte order mark
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",}",
        "{\"jsonrpc\":\"2.0\",\"id\":NaN,\"method\":\"ping\"}",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"x\",\"arguments\":{\"v\":Infinity}}}",
        "{\"jsonrpc\":\"2.0\",\"id\":01,\"method\":\"ping\"}",
        "{\"jsonrpc\":\"2.0\",\"id\":+1,\"method\":\"ping\"}",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"x\",\"arguments\":{\"v\":.5}}}",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"x\",\"arguments\":{\"v\":1.}}}",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"x\",\"arguments\":{\"v\":1e}}}",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\" /* comment */}",
        "{'jsonrpc':'2.0','id':1,'method':'ping'}",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"x\",\"arguments\":{\"v\":tru}}}",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"\u{0B}}",  // vertical tab is no JSON whitespace
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"\u{A0}}",
        "",
        "   ",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"",
    ])
    func grammar(body: String) {
        #expect(Self.isInvalid(Self.bytes(body)), "accepted: \(body.debugDescription)")
    }

    @Test("a name or envelope string with an unescaped U+FEFF at its start or after an escape is refused: Foundation's JSONSerialization drops it (found by hack/fuzz.sh jsonrpc)", arguments: [
        "{\"jsonrpc\": \"2.0\", \"id\": 5, \"method\": \"\u{FEFF}ping\"}",  // JSONSerialization reads "ping"
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\",\"\u{FEFF}method\":\"tools/call\",\"params\":{\"name\":\"delete_alerts\"}}",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"get_forecast\",\"\u{FEFF}name\":\"delete_alerts\"}}",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"\u{FEFF}delete_alerts\"}}",
        "{\"jsonrpc\":\"2.0\",\"id\":\"\u{FEFF}7\",\"method\":\"ping\"}",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"x\",\"arguments\":{\"a\":1,\"\u{FEFF}a\":2}}}",
        // ... or follows an escape: JSONSerialization reads "tools/call", "météo 🌦" and "delete_alerts"
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools\\/\u{FEFF}call\",\"params\":{\"name\":\"delete_alerts\"}}",
        "{\"jsonrpc\": \"2.0\", \"id\": 2, \"method\": \"tools/call\", \"params\": {\"name\": \"m\\u00e9t\\u00e9o \\ud83c\\udf26\u{FEFF}\"}}",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"delete\\u005f\u{FEFF}alerts\"}}",
    ])
    func leadingByteOrderMark(body: String) {
        #expect(Self.isInvalid(Self.bytes(body)), "accepted: \(body.debugDescription)")
    }

    @Test("U+FEFF escaped or inside a string reads alike everywhere, and a tool's argument values are its own: accepted")
    func byteOrderMarkElsewhere() {
        #expect(JSONRPCMessage.inspect(Self.bytes(#"{"jsonrpc":"2.0","id":1,"method":"\ufeffping"}"#)) == .request(method: "\u{FEFF}ping", id: .int(1), target: nil))
        #expect(JSONRPCMessage.inspect(Self.bytes("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"pi\u{FEFF}ng\"}")) == .request(method: "pi\u{FEFF}ng", id: .int(1), target: nil))
        #expect(JSONRPCMessage.inspect(Self.bytes("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"\\n \u{FEFF}\"}")) == .request(method: "\n \u{FEFF}", id: .int(1), target: nil))
        #expect(JSONRPCMessage.inspect(Self.bytes("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"x\",\"arguments\":{\"csv\":\"\u{FEFF}a,b\"}}}"))
            == .request(method: "tools/call", id: .int(1), target: "x"))
    }

    @Test("ids: a string or an integer; null only on a response")
    func ids() {
        for id in ["1.5", "1e3", "true", "{}", "[]", "99999999999999999999"] {
            #expect(Self.isInvalid(Self.bytes(#"{"jsonrpc":"2.0","id":\#(id),"method":"ping"}"#)), "id \(id)")
        }
        #expect(Self.isInvalid(Self.bytes(#"{"jsonrpc":"2.0","id":null,"method":"ping"}"#)))
        #expect(JSONRPCMessage.inspect(Self.bytes(#"{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"x"}}"#)) == .response(id: .null))
        #expect(JSONRPCMessage.inspect(Self.bytes(#"{"jsonrpc":"2.0","id":-9223372036854775808,"method":"ping"}"#)) == .request(method: "ping", id: .int(.min), target: nil))
    }

    @Test("nesting: as deep as any message needs, no deeper than the limit")
    func depth() {
        func nested(_ levels: Int) -> [UInt8] {
            Self.bytes(#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x","arguments":{"v":"#)
                + Array(repeating: UInt8(ascii: "["), count: levels) + Array(repeating: UInt8(ascii: "]"), count: levels) + Self.bytes("}}}")
        }
        #expect(JSONRPCMessage.inspect(nested(100)) == .request(method: "tools/call", id: .int(1), target: "x"))
        #expect(Self.isInvalid(nested(StrictJSONReader.maxDepth)))
        #expect(Self.isInvalid(nested(100_000)), "never a stack overflow")
    }

    @Test("what is valid reads as every parser reads it: escapes decoded, non-ASCII kept, any member order")
    func valid() {
        #expect(JSONRPCMessage.inspect(Self.bytes(#"{"params":{"arguments":{},"name":"get_\u0066orecast"},"method":"tools\/call","id":"a\"b","jsonrpc":"2.0"}"#))
            == .request(method: "tools/call", id: .string("a\"b"), target: "get_forecast"))
        #expect(JSONRPCMessage.inspect(Self.bytes(" \r\n\t{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"m\u{E9}t\u{E9}o \u{1F326}\"}} \n"))
            == .request(method: "tools/call", id: .int(1), target: "m\u{E9}t\u{E9}o \u{1F326}"))
        #expect(JSONRPCMessage.inspect(Self.bytes(#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"\ud83c\udf26"}}"#))
            == .request(method: "tools/call", id: .int(1), target: "\u{1F326}"))
        #expect(JSONRPCMessage.inspect(Self.bytes(Self.call)) == .request(method: "tools/call", id: .int(1), target: "get_forecast"))
        #expect(JSONRPCMessage.inspect(Self.bytes(#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x","arguments":{"Name":"y","METHOD":1,"a":[1,-0.5e-3,true,false,null,"s"]}}}"#))
            == .request(method: "tools/call", id: .int(1), target: "x"), "a tool's own argument names are its business")
    }
}

@Suite struct NULTests {
    @Test("a NUL in a member name, the method or the tool name is refused (C-string parsers end the name there)", arguments: [
        #"{"jsonrpc":"2.0","id":1,"method\u0000":"tools/call","method":"ping","params":{"name":"delete_alerts"}}"#,
        #"{"jsonrpc":"2.0","id":1,"method":"tools/call\u0000","params":{"name":"delete_alerts"}}"#,
        #"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"get_forecast\u0000delete_alerts"}}"#,
        #"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x","arguments":{"a\u0000":1}}}"#,
    ])
    func nul(body: String) {
        guard case .invalid = JSONRPCMessage.inspect(Array(body.utf8)) else { Issue.record("accepted: \(body)"); return }
    }

    @Test("a NUL inside an argument's value is data, not a name")
    func nulInValue() {
        #expect(JSONRPCMessage.inspect(Array(#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x","arguments":{"a":"b\u0000c"}}}"#.utf8))
            == .request(method: "tools/call", id: .int(1), target: "x"))
    }
}
