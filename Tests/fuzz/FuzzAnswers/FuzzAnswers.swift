import Foundation
import FuzzSupport
import MCPPolicy
import MCPProxyCore

/// `EventStreamFilter` and `ListAnswerFilter`, what mcp-proxy runs on list answers and
/// event streams, on any bytes read as an SSE stream. Besides not crashing: the output is
/// the same however the input is cut into chunks; and read back as a client reads it (an
/// SSE parser of its own, written from the spec, and `JSONSerialization`), no event of the
/// output carries a list entry the caller may not use (names not starting with `ok`).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzAnswers(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    checkAnswers(Fuzz.bytes(data, size))
    return 0
}

#if !FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
@main enum Replay {
    static func main() { Fuzz.replay(checkAnswers) }
}
#endif

let permits: ListAnswerFilter.Permits = { item in item.name.hasPrefix("ok") }

func checkAnswers(_ input: [UInt8]) {
    let text = String(decoding: input.prefix(512), as: UTF8.self).debugDescription
    guard let whole = filtered([input[...]]) else { return }
    // The first byte chooses where a second cut falls, so that every split gets tried.
    let cut = input.isEmpty ? 0 : Int(input[0]) % (input.count + 1)
    let split = filtered([input[..<cut], input[cut...]])
    Fuzz.require(split == whole, "cut at \(cut) the output differs: \(text)")
    for data in clientMessages(whole) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(data), options: [.fragmentsAllowed]) as? [String: Any],
              let result = object["result"] as? [String: Any] else { continue }
        for (list, member) in [("tools", "name"), ("resources", "uri"), ("resourceTemplates", "uriTemplate"), ("prompts", "name")] {
            for entry in result[list] as? [Any] ?? [] {
                let name = (entry as? [String: Any])?[member] as? String
                Fuzz.require(name?.hasPrefix("ok") == true, "\(list) entry \(String(describing: entry)) reached the client: \(text)")
            }
        }
    }
    if case .rewritten(let bytes, _) = ListAnswerFilter(permits: permits).filter(input) {
        Fuzz.require((try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])) != nil, "a rewritten body JSONSerialization cannot read: \(text)")
    }
}

/// The stream's output fed in `chunks`, or nil when an event was over the limit.
func filtered(_ chunks: [ArraySlice<UInt8>]) -> [UInt8]? {
    var stream = EventStreamFilter(ListAnswerFilter(permits: permits))
    var output: [UInt8] = []
    do {
        for chunk in chunks { output += try stream.feed(chunk) }
    } catch {
        return nil
    }
    return output + stream.finish()
}

/// The data of the `message` events a client dispatches (WHATWG HTML §9.2.6), the last
/// event too when the stream ends without its blank line (some clients dispatch it).
func clientMessages(_ bytes: [UInt8]) -> [[UInt8]] {
    var body = bytes[...]
    if body.starts(with: [0xEF, 0xBB, 0xBF]) { body = body.dropFirst(3) }
    var lines: [ArraySlice<UInt8>] = []
    var start = body.startIndex
    var index = body.startIndex
    while index < body.endIndex {
        let byte = body[index]
        if byte == 0x0A || byte == 0x0D {
            lines.append(body[start..<index])
            if byte == 0x0D, index + 1 < body.endIndex, body[index + 1] == 0x0A { index += 1 }
            start = index + 1
        }
        index += 1
    }
    if start < body.endIndex { lines.append(body[start...]) }
    lines.append([])
    var messages: [[UInt8]] = []
    var data: [UInt8]?
    var type = "message"
    for line in lines {
        if line.isEmpty {
            if let data, type == "message" { messages.append(data) }
            data = nil
            type = "message"
            continue
        }
        if line.first == UInt8(ascii: ":") { continue }
        let colon = line.firstIndex(of: UInt8(ascii: ":"))
        let name = String(decoding: line[line.startIndex..<(colon ?? line.endIndex)], as: UTF8.self)
        var value = colon.map { line[($0 + 1)...] } ?? []
        if value.first == 0x20 { value = value.dropFirst() }
        switch name {
        case "data": data = (data.map { $0 + [0x0A] } ?? []) + value
        case "event": type = value.isEmpty ? "message" : String(decoding: value, as: UTF8.self)
        default: break
        }
    }
    return messages
}
