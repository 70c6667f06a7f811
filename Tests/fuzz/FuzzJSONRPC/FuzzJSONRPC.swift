import StrictJSON
import Foundation
import FuzzSupport
import KubeCore
import MCPAuth

/// `JSONRPCMessage.inspect` (the strict reader) on any bytes. Besides not crashing:
/// whatever it read as JSON, Foundation's `JSONSerialization` parses too (the strict
/// reader refuses more, never less), and sees the same `method`, `id`, `params.name` and
/// no member that a case-insensitive decoder would take for an envelope member.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSONRPC(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    checkJSONRPC(Fuzz.bytes(data, size))
    return 0
}

#if !FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
@main enum Replay {
    static func main() { Fuzz.replay(checkJSONRPC) }
}
#endif

func checkJSONRPC(_ body: [UInt8]) {
    let message = JSONRPCMessage.inspect(body)
    // The reader takes contiguous storage directly and copies anything else first.
    let copied = JSONRPCMessage.inspect(body.lazy.map { $0 })
    Fuzz.require(copied == message, "a non-contiguous sequence classified as \(copied), an array as \(message)")

    let syntaxAccepted: Bool
    switch message {
    case .invalid(let why):
        Fuzz.require(!why.isEmpty, "an empty reason")
        // StrictJSONError's descriptions all start so; the envelope's reasons never do.
        syntaxAccepted = !why.hasPrefix("the body ")
    case .request, .response, .batch:
        syntaxAccepted = true
    }
    guard syntaxAccepted else { return }

    let parsed: Any
    do {
        parsed = try JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed])
    } catch {
        // JSON's grammar has numbers of any size (RFC 8259 §6 lets parsers limit them);
        // Foundation refuses one beyond a Double (`1E400`), the strict reader does not look.
        if String(describing: error).contains("is not representable in Swift") { return }
        Fuzz.require(false, "strict JSON that JSONSerialization refuses (\(error)): classified \(message), body \(describe(body))")
        return
    }
    switch message {
    case .batch:
        Fuzz.require(parsed is [Any], "a batch that JSONSerialization does not read as an array: \(describe(body))")
    case .request(let method, let id, let target, _):
        guard let object = parsed as? [String: Any] else { return Fuzz.require(false, "a request that is no object to JSONSerialization: \(describe(body))") }
        Fuzz.require(sameString(object["method"], method), "method \(method.debugDescription) but JSONSerialization reads \(String(describing: object["method"])): \(describe(body))")
        checkID(id, object["id"], body)
        checkEnvelope(object, body)
        if let member = JSONRPCMessage.targetMembers[method] {
            let params = object["params"] as? [String: Any]
            Fuzz.require(target != nil && sameString(params?[member], target!), "target \(String(describing: target)) but JSONSerialization reads params.\(member) \(String(describing: params?[member])): \(describe(body))")
        } else {
            Fuzz.require(target == nil, "a target on \(method.debugDescription)")
        }
    case .response(let id):
        guard let object = parsed as? [String: Any] else { return Fuzz.require(false, "a response that is no object to JSONSerialization: \(describe(body))") }
        Fuzz.require(object["method"] == nil, "a response with a method to JSONSerialization: \(describe(body))")
        Fuzz.require(object["result"] != nil || object["error"] != nil, "a response without result or error to JSONSerialization: \(describe(body))")
        checkID(id, object["id"], body)
        checkEnvelope(object, body)
    case .invalid:
        break
    }
}

/// The same string, compared as UTF-8 bytes (Swift's `==` would equate canonically equivalent ones).
func sameString(_ value: Any?, _ expected: String) -> Bool {
    guard let text = value as? String else { return false }
    return Array(text.utf8) == Array(expected.utf8)
}

func checkID(_ id: JSONValue?, _ value: Any?, _ body: [UInt8]) {
    switch id {
    case nil:
        Fuzz.require(value == nil, "no id, but JSONSerialization reads \(String(describing: value)): \(describe(body))")
    case .string(let text):
        Fuzz.require(sameString(value, text), "id \(text.debugDescription), but JSONSerialization reads \(String(describing: value)): \(describe(body))")
    case .int(let number):
        // (On Linux an NSNumber of 1 also casts to Bool: no type test here; the strict reader saw a number.)
        let read = value as? NSNumber
        Fuzz.require(read != nil && read!.int64Value == number && read!.doubleValue == Double(number),
                     "id \(number), but JSONSerialization reads \(String(describing: value)): \(describe(body))")
    case .null:
        Fuzz.require(value is NSNull, "id null, but JSONSerialization reads \(String(describing: value)): \(describe(body))")
    default:
        Fuzz.require(false, "an id of another type: \(String(describing: id))")
    }
}

/// No member a case-insensitive decoder folds onto an envelope member (Go's
/// `encoding/json` folds ASCII case, U+017F to `s` and U+212A to `k`), here or in `params`.
func checkEnvelope(_ object: [String: Any], _ body: [UInt8]) {
    let members: Set<String> = ["jsonrpc", "method", "id", "params", "result", "error"]
    for key in object.keys where !members.contains(key) {
        Fuzz.require(!members.contains(folded(key)), "accepted a member \(key.debugDescription) that folds onto an envelope member: \(describe(body))")
    }
    if let params = object["params"] as? [String: Any] {
        for key in params.keys where key != "name" {
            Fuzz.require(folded(key) != "name", "accepted params.\(key.debugDescription), which folds onto name: \(describe(body))")
        }
    }
}

func folded(_ name: String) -> String {
    var out = String.UnicodeScalarView()
    for scalar in name.unicodeScalars {
        switch scalar.value {
        case 0x41...0x5A: out.append(Unicode.Scalar(scalar.value + 0x20)!)
        case 0x17F: out.append("s")
        case 0x212A: out.append("k")
        default: out.append(scalar)
        }
    }
    return String(out)
}

func describe(_ body: [UInt8]) -> String {
    let text = String(decoding: body.prefix(512), as: UTF8.self)
    return text.debugDescription + (body.count > 512 ? " (\(body.count) bytes)" : "")
}
