import Foundation
import MCPPolicy
import MCPProxyCore
import Testing

@Suite struct ListAnswerFilterTests {
    /// Keeps tools and prompts named `ok…`, resources under `ok://`.
    static let filter = ListAnswerFilter { item in
        switch item {
        case .resource(let uri), .resourceTemplate(let uri): uri.hasPrefix("ok://")
        case .tool(let name), .prompt(let name): name.hasPrefix("ok")
        }
    }

    static func run(_ text: String) -> ListAnswerFilter.Outcome {
        filter.filter(Array(text.utf8))
    }

    static func rewritten(_ text: String) throws -> (text: String, removed: [String]) {
        guard case .rewritten(let bytes, let removed) = run(text) else {
            Issue.record("not rewritten: \(run(text))")
            return ("", [])
        }
        let output = String(decoding: bytes, as: UTF8.self)
        #expect(throws: Never.self, "valid JSON: \(output)") { try JSONSerialization.jsonObject(with: Data(bytes)) }
        return (output, removed.map(\.label))
    }

    @Test("entries the caller may not use are cut out; every other byte stays, nextCursor included")
    func cuts() throws {
        let answer = #"{"jsonrpc":"2.0","id":3,"result":{"tools":[{"name":"ok_a","x":[1,{"name":"no"}]}, {"name":"no_b"} ,{"name":"ok_c"}],"nextCursor":"c2"}}"#
        let (text, removed) = try Self.rewritten(answer)
        #expect(text == #"{"jsonrpc":"2.0","id":3,"result":{"tools":[{"name":"ok_a","x":[1,{"name":"no"}]}, {"name":"ok_c"}],"nextCursor":"c2"}}"#)
        #expect(removed == ["tool:no_b"])
    }

    @Test("first, last, all, or several: the list stays valid JSON", arguments: [
        (#"{"result":{"prompts":[{"name":"no1"},{"name":"ok"}]}}"#, #"{"result":{"prompts":[{"name":"ok"}]}}"#),
        (#"{"result":{"prompts":[{"name":"ok"}, {"name":"no1"}]}}"#, #"{"result":{"prompts":[{"name":"ok"}]}}"#),
        (#"{"result":{"prompts":[ {"name":"no1"} , {"name":"no2"} ]}}"#, #"{"result":{"prompts":[   ]}}"#),
        (#"{"result":{"prompts":[{"name":"no1"},{"name":"ok"},{"name":"no2"},{"name":"ok2"},{"name":"no3"}]}}"#, #"{"result":{"prompts":[{"name":"ok"},{"name":"ok2"}]}}"#),
        ("{\"result\":{\"prompts\":[\n  {\"name\":\"ok\"},\n  {\"name\":\"no\"}\n]}}", "{\"result\":{\"prompts\":[\n  {\"name\":\"ok\"}\n]}}"),
    ])
    func separators(answer: String, expected: String) throws {
        #expect(try Self.rewritten(answer).text == expected)
    }

    @Test("each list by its identifying member: tools and prompts by name, resources by uri, templates by uriTemplate")
    func lists() throws {
        let answer = #"{"result":{"resources":[{"uri":"ok://a","name":"no"},{"uri":"no://b","name":"ok"}],"resourceTemplates":[{"uriTemplate":"no://{x}"},{"uriTemplate":"ok://{x}"}]}}"#
        let (text, removed) = try Self.rewritten(answer)
        #expect(text == #"{"result":{"resources":[{"uri":"ok://a","name":"no"}],"resourceTemplates":[{"uriTemplate":"ok://{x}"}]}}"#)
        #expect(removed == ["resource:no://b", "resourceTemplate:no://{x}"])
    }

    @Test("an entry without its name as a string, with a second name in another case, or not an object is removed")
    func unnamedEntries() throws {
        let answer = #"{"result":{"tools":[{"title":"ok"},{"name":7},{"name":"ok","Name":"no"},{"name":"ok","\u212Aind":1},"ok",{"name":"ok1"}]}}"#
        let (text, _) = try Self.rewritten(answer)
        #expect(text == #"{"result":{"tools":[{"name":"ok","\u212Aind":1},{"name":"ok1"}]}}"#)
    }

    @Test("a message the client may read otherwise is refused whole", arguments: [
        #"{"result":{"tools":[]},"result":{"tools":[{"name":"no"}]}}"#,
        #"{"Result":{"tools":[{"name":"no"}]}}"#,
        #"{"result":{"tools":[],"Tools":[{"name":"no"}]}}"#,
        #"{"result":{"tool\u017F":[{"name":"no"}]}}"#,
        #"{"result":{"tools":[{"name":"ok","name":"no"}]}}"#,
        #"[{"result":{"tools":[{"name":"no"}]}}]"#,
        #"{"result":{"tools":[{"name":"no"}]}} x"#,
        #"{"result":{"tools":[{"name":"no"}]"#,
    ])
    func refused(answer: String) {
        guard case .refused = Self.run(answer) else {
            Issue.record("not refused: \(Self.run(answer))")
            return
        }
    }

    @Test("nothing to remove, nothing to read: sent as it came", arguments: [
        #"{"jsonrpc":"2.0","id":1,"result":{"tools":[{"name":"ok"}]}}"#,
        #"{"jsonrpc":"2.0","id":1,"error":{"code":-32601,"message":"no"}}"#,
        #"{"jsonrpc":"2.0","method":"notifications/tools/list_changed"}"#,
        #"{"jsonrpc":"2.0","id":1,"result":{"content":[{"type":"text","text":"{\"tools\":[{\"name\":\"no\"}]}"}]}}"#,
        #"{"jsonrpc":"2.0","id":1,"result":{"tools":"not a list"}}"#,
        "7", "", "  \n",
    ])
    func unchanged(answer: String) {
        #expect(Self.run(answer) == .unchanged)
    }
}

@Suite struct EventStreamFilterTests {
    static let answer = #"{"jsonrpc":"2.0","id":2,"result":{"tools":[{"name":"ok"},{"name":"no"}]}}"#
    static let filtered = #"{"jsonrpc":"2.0","id":2,"result":{"tools":[{"name":"ok"}]}}"#

    static func run(_ chunks: [String], observeOnly: Bool = false) throws -> (text: String, verdicts: [EventStreamFilter.Verdict]) {
        try run(chunks.map { Array($0.utf8) }, observeOnly: observeOnly)
    }

    static func run(_ chunks: [[UInt8]], observeOnly: Bool = false) throws -> (text: String, verdicts: [EventStreamFilter.Verdict]) {
        var stream = EventStreamFilter(ListAnswerFilterTests.filter, observeOnly: observeOnly)
        var output: [UInt8] = []
        for chunk in chunks { output += try stream.feed(chunk) }
        output += stream.finish()
        return (String(decoding: output, as: UTF8.self), stream.takeVerdicts())
    }

    /// `text` fed whole, byte by byte, and in two halves at every offset: always the same output.
    static func everySplit(_ text: String) throws -> String {
        let whole = try run([text]).text
        let bytes = Array(text.utf8)
        #expect(try run(bytes.map { [$0] }).text == whole)
        for cut in 1..<bytes.count {
            #expect(try run([Array(bytes[..<cut]), Array(bytes[cut...])]).text == whole, "split at \(cut)")
        }
        return whole
    }

    @Test("an answer event is rewritten with its other fields in order; the events around it go as they came")
    func rewrites() throws {
        let stream = "id: 1\ndata:\n\n: a comment\nid: 2\nevent: message\nretry: 500\ndata: \(Self.answer)\n\nid: 3\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\"}\n\n"
        let output = try Self.everySplit(stream)
        #expect(output == "id: 1\ndata:\n\n: a comment\nid: 2\nevent: message\nretry: 500\ndata: \(Self.filtered)\n\nid: 3\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\"}\n\n")
        #expect(try Self.run([stream]).verdicts == [.removed(["tool:no"])])
    }

    @Test("lines end with CRLF, LF or CR alike, a CR's LF possibly in the next chunk", arguments: ["\r\n", "\r", "\n"])
    func lineEnds(end: String) throws {
        let stream = "id: 7\(end)data: \(Self.answer)\(end)\(end)data: 1\(end)\(end)"
        #expect(try Self.everySplit(stream) == "id: 7\ndata: \(Self.filtered)\n\n" + "data: 1\(end)\(end)")
    }

    @Test("data over several lines is one message; it is rewritten line for line")
    func multiline() throws {
        let stream = "data: {\"result\":{\"tools\":[\ndata: {\"name\":\"no\"},\ndata: {\"name\":\"ok\"}]}}\n\n"
        #expect(try Self.everySplit(stream) == "data: {\"result\":{\"tools\":[\ndata: \ndata: {\"name\":\"ok\"}]}}\n\n")
    }

    @Test("a leading byte order mark is dropped, so that every client reads the lines the filter read", arguments: [
        ("\u{FEFF}data: \(answer)\n\n", "data: \(filtered)\n\n"),
        ("\u{FEFF}data: 1\n\n", "data: 1\n\n"),
        ("\u{FEFF}event: x\ndata: \(answer)\n\n", "event: x\ndata: \(answer)\n\n"),
    ])
    func byteOrderMark(stream: String, expected: String) throws {
        #expect(try Self.everySplit(stream) == expected)
    }

    @Test("data that is JSON only with a raw line break inside a string is dropped")
    func rawControlInString() throws {
        let stream = "data: {\"a\":\"\ndata: \(Self.answer)\n\n"
        #expect(try Self.run([stream]).text == "")
    }

    @Test("events of another type are no JSON-RPC to clients and go as they came")
    func otherEvents() throws {
        let stream = "event: ping\ndata: \(Self.answer)\n\n"
        #expect(try Self.everySplit(stream) == stream)
    }

    @Test("the last event field names the type, and an empty one is message, as clients read it", arguments: [
        "event:\n", "event\n", "event: ping\nevent: message\n", "event: message\n",
    ])
    func eventType(fields: String) throws {
        let stream = "\(fields)data: \(Self.answer)\n\n"
        #expect(try Self.run([stream]).text.contains(Self.filtered))
    }

    @Test("an event the filter cannot read is dropped, and said so")
    func refusedDropped() throws {
        let stream = "id: 1\ndata: {\"Result\":{\"tools\":[{\"name\":\"no\"}]}}\n\nid: 2\ndata: 1\n\n"
        let (text, verdicts) = try Self.run([stream])
        #expect(text == "id: 2\ndata: 1\n\n")
        #expect(verdicts.count == 1)
    }

    @Test("observing, events go as they came and the verdicts say what would have been removed")
    func observing() throws {
        let stream = "data: \(Self.answer)\n\n"
        let (text, verdicts) = try Self.run([stream], observeOnly: true)
        #expect(text == stream && verdicts == [.removed(["tool:no"])])
    }

    @Test("the last event is filtered even without its blank line")
    func unterminated() throws {
        #expect(try Self.run(["data: \(Self.answer)"]).text == "data: \(Self.filtered)\n")
        #expect(try Self.run(["data: \(Self.answer)\r"]).text == "data: \(Self.filtered)\n")
    }

    @Test("an event larger than the limit ends the stream")
    func tooLarge() {
        var stream = EventStreamFilter(ListAnswerFilterTests.filter)
        let chunk = Array(repeating: UInt8(ascii: "x"), count: 1 << 20)
        #expect(throws: EventStreamFilter.Failure.eventTooLarge) {
            _ = try stream.feed(Array("data: ".utf8))
            for _ in 0...8 { _ = try stream.feed(chunk) }
        }
    }
}

@Suite struct AnswerFramingTests {
    @Test("the filter reads JSON and event streams; a success it cannot read is never sent on", arguments: [
        (200, [("Content-Type", "application/json")], AnswerFilter.Framing.json),
        (200, [("content-type", "Application/JSON; charset=utf-8")], .json),
        (200, [("Content-Type", "text/event-stream")], .eventStream),
        (202, [], .passThrough),
        (204, [], .passThrough),
        (404, [("Content-Type", "text/html")], .passThrough),
        (200, [("Content-Type", "application/json"), ("Content-Encoding", "gzip")], .unreadable("the answer has a content coding (gzip)")),
        (200, [("Content-Type", "application/json"), ("Content-Type", "text/plain")], .unreadable("the answer gives its type more than once")),
        (200, [("Content-Type", "text/plain")], .unreadable("an answer of type text/plain cannot be filtered")),
        (200, [("Content-Type", "text/event-stream; charset=utf-16le")], .unreadable("an answer of type text/event-stream; charset=utf-16le cannot be filtered as UTF-8")),
        (200, [("Content-Type", "application/json; charset=\"UTF-8\"")], .json),
        (200, [("Content-Type", "application/json; profile=x")], .unreadable("an answer of type application/json; profile=x cannot be filtered as UTF-8")),
        (200, [], .unreadable("the answer gives no type")),
    ])
    func framing(status: Int, headers: [(String, String)], expected: AnswerFilter.Framing) {
        #expect(AnswerFilter.framing(status: status, headers: headers.map { (name: $0.0, value: $0.1) }) == expected)
    }
}

@Suite struct ListAnswerScanTests {
    static func suspect(_ text: String, cut: Int? = nil) -> Bool {
        let bytes = Array(text.utf8)
        var scan = ListAnswerScan()
        guard let cut else { return scan.feed(bytes) }
        scan.feed(bytes[..<cut])
        return scan.feed(bytes[cut...])
    }

    @Test("a result with a list, however its names are spelt or escaped, is suspect; so are batches and trailing values", arguments: [
        #"{"jsonrpc":"2.0","id":1,"result":{"tools":[]}}"#,
        #"{"id":1,"result":{"nextCursor":"x","prompts":[]}}"#,
        #"{"result":{"resourceTemplates":[]}}"#,
        #"{"RESULT":{"Tools":[]}}"#,
        #"{"re\u0073ult":{"t\u006fols":[]}}"#,
        #"{"result":{"tool\u017f":[]}}"#,
        "{\"result\":{\"tool\u{17F}\":[]}}",
        #"{"result":{"\u0072esources":{}}}"#,
        #"[{"result":{}}]"#,
        #"{"id":1} {"result":{"tools":[]}}"#,
        #"7 {"result":{"tools":[]}}"#,
        "{\"a\":\"\n{\"result\":{\"tools\":[]}}",
        #"{"a":{"b":[1,2,{"c":"}"}]},"result":{"x":"\"tools\"","tools":[]}}"#,
    ])
    func suspects(text: String) {
        #expect(Self.suspect(text), "\(text)")
        for cut in 1..<text.utf8.count { #expect(Self.suspect(text, cut: cut), "cut at \(cut): \(text)") }
    }

    @Test("answers without a list answer are clear", arguments: [
        #"{"jsonrpc":"2.0","id":7,"result":{"content":[{"type":"text","text":"sunny"}],"isError":false}}"#,
        #"{"jsonrpc":"2.0","id":7,"result":{"structuredContent":{"tools":[{"name":"x"}]}}}"#,
        #"{"jsonrpc":"2.0","id":7,"result":{"content":[{"type":"text","text":"\"tools\":[]"}]}}"#,
        #"{"jsonrpc":"2.0","id":7,"error":{"code":1,"message":"m","data":{"tools":[]}}}"#,
        #"{"jsonrpc":"2.0","method":"notifications/tools/list_changed"}"#,
        #"{"tools":[],"result":7}"#,
        #"{"result":[{"tools":[]}]}"#,
        "12345", "true", "\"text\"", "", "  ",
    ])
    func clear(text: String) {
        #expect(!Self.suspect(text), "\(text)")
        for cut in 0...text.utf8.count { #expect(!Self.suspect(text, cut: cut), "cut at \(cut): \(text)") }
    }
}
