import StrictJSON
import Foundation
import FuzzSupport
import MCPAuth
import MCPTokenVerification

/// `TokenVerifier.header(of:)`, the JWS header reader that picks the algorithm and key
/// before any signature is checked. The first byte chooses: even, the rest is the header's
/// JSON (base64url-encoded here into `HEADER.e30.c2ln`); odd, the rest is the whole token.
/// Besides not crashing: a header read is a JSON object to `JSONSerialization` too, with
/// the same `alg`, and the `kid` and `typ` it has as strings (compared when no member is
/// named twice: see below).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJWSHeader(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    checkJWSHeader(Fuzz.bytes(data, size))
    return 0
}

#if !FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
@main enum Replay {
    static func main() { Fuzz.replay(checkJWSHeader) }
}
#endif

func checkJWSHeader(_ input: [UInt8]) {
    guard let mode = input.first else { return }
    let rest = Array(input.dropFirst())
    let token = mode & 1 == 0 ? base64URL(rest) + ".e30.c2ln" : String(decoding: rest, as: UTF8.self)
    guard let header = try? TokenVerifier.header(of: token) else { return }

    let segments = token.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
    Fuzz.require(segments.count == 3 && !segments[0].isEmpty && !segments[1].isEmpty, "a header read from \(token.debugDescription), which is not three segments")
    guard let json = Data(base64URLEncoded: Array(segments[0])) else {
        return Fuzz.require(false, "a header read from a first segment that is not base64url: \(token.debugDescription)")
    }
    let object: [String: Any]
    do {
        guard let parsed = try JSONSerialization.jsonObject(with: json) as? [String: Any] else {
            return Fuzz.require(false, "a header read from JSON that is no object: \(describe(json))")
        }
        object = parsed
    } catch {
        // Known: JSONDecoder does not validate what it does not decode (a member it skips
        // may hold raw control characters, invalid UTF-8, lone surrogates, bad escapes or
        // numbers), and a `kid` or `typ` string it cannot decode counts as absent. Such a
        // header must at least be invalid JSON to the strict reader too. (Also known:
        // JSONSerialization refuses a number beyond a Double, `1E400`, which JSON allows.)
        if String(describing: error).contains("is not representable in Swift") { return }
        var strictRefuses = false
        do throws(StrictJSONError) {
            try StrictJSONReader.read(json) { reader throws(StrictJSONError) in try reader.skipValue(depth: 0) }
        } catch {
            strictRefuses = true
        }
        return Fuzz.require(strictRefuses, "a header read from what JSONSerialization refuses (\(error)) and the strict reader takes: \(describe(json))")
    }
    // Where Foundation's two readers differ, the verifier's (JSONDecoder, which jwt-kit
    // uses too) is not compared with JSONSerialization: a member named twice (JSONDecoder
    // takes the first, JSONSerialization the last; RFC 7515 §4 wants the JWS refused or
    // the last taken: see the known issue in JWSHeaderFindingsTests), and an unescaped
    // U+FEFF (JSONSerialization drops it at the start of a string and after an escape).
    do throws(StrictJSONError) {
        try StrictJSONReader.read(json) { reader throws(StrictJSONError) in try reader.skipValue(depth: 0) }
    } catch {
        if case .duplicateMember = error { return }
    }
    let bytes = Array(json)
    if bytes.indices.contains(where: { bytes[$0...].starts(with: [0xEF, 0xBB, 0xBF]) }) { return }
    Fuzz.require(sameString(object["alg"], header.alg), "alg \(header.alg.debugDescription), JSONSerialization reads \(String(describing: object["alg"])): \(describe(json))")
    for (name, value) in [("kid", header.kid), ("typ", header.typ)] {
        if let value {
            Fuzz.require(sameString(object[name], value), "\(name) \(value.debugDescription), JSONSerialization reads \(String(describing: object[name])): \(describe(json))")
        } else {
            Fuzz.require(!(object[name] is String), "no \(name), JSONSerialization reads \(String(describing: object[name])): \(describe(json))")
        }
    }
}

func sameString(_ value: Any?, _ expected: String) -> Bool {
    guard let text = value as? String else { return false }
    return Array(text.utf8) == Array(expected.utf8)
}

func base64URL(_ bytes: [UInt8]) -> String {
    var text = Data(bytes).base64EncodedString()
    text = text.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
    while text.hasSuffix("=") { text.removeLast() }
    return text
}

extension Data {
    /// base64url, unpadded or padded, decoded independently of the verifier's own decoder.
    init?(base64URLEncoded bytes: [UInt8]) {
        var text = String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while text.utf8.count % 4 != 0 { text += "=" }
        self.init(base64Encoded: text)
    }
}

func describe(_ json: Data) -> String {
    String(decoding: json.prefix(512), as: UTF8.self).debugDescription
}
