import Foundation
import FuzzSupport
import MCPAuth

/// `CredentialExtractor.extract` on any header fields and query. The input is lines: the
/// configured token header, the query (`-` for none), then header lines `name: value`.
/// Besides not crashing: a token comes only from exactly one token header, is token68,
/// never comes with an `access_token` query parameter, and the answer does not depend on
/// the headers' order or on the ASCII case of names.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCredentials(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    checkCredentials(Fuzz.bytes(data, size))
    return 0
}

#if !FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
@main enum Replay {
    static func main() { Fuzz.replay(checkCredentials) }
}
#endif

func checkCredentials(_ input: [UInt8]) {
    var lines = Fuzz.lines(input, limit: 66)
    guard lines.count >= 2 else { return }
    let tokenHeader = lines.removeFirst()
    let queryLine = lines.removeFirst()
    let query = queryLine == "-" ? nil : queryLine
    let headers = lines.prefix(64).map(Fuzz.header)

    let result = CredentialExtractor.extract(headers: headers, tokenHeader: tokenHeader, query: query)
    let context = "token header \(tokenHeader.debugDescription), query \(String(describing: query).debugDescription), headers \(headers)"

    let reordered = CredentialExtractor.extract(headers: headers.reversed(), tokenHeader: tokenHeader, query: query)
    Fuzz.require(reordered == result, "\(result) but \(reordered) with the headers reversed: \(context)")
    let recased = CredentialExtractor.extract(
        headers: headers.map { (name: swapASCIICase($0.name), value: $0.value) }, tokenHeader: swapASCIICase(tokenHeader), query: query)
    Fuzz.require(recased == result, "\(result) but \(recased) with names in another ASCII case: \(context)")

    if let query, queryNamesAccessToken(query) {
        Fuzz.require(result == .malformed(.tokenInQuery), "access_token in the query, yet \(result): \(context)")
    }
    guard case .token(let token) = result else { return }
    let carriers = headers.filter { Fuzz.asciiLowercased($0.name) == Fuzz.asciiLowercased(tokenHeader) }
    Fuzz.require(carriers.count == 1, "a token from \(carriers.count) token headers: \(context)")
    Fuzz.require(!token.isEmpty && isToken68(token), "token \(token.debugDescription) is not token68: \(context)")
    Fuzz.require(carriers.first.map { $0.value.contains(token) } ?? false, "token \(token.debugDescription) is not in the token header: \(context)")
    if Fuzz.asciiLowercased(tokenHeader) != "authorization" {
        let bearerAuthorization = headers.contains {
            Fuzz.asciiLowercased($0.name) == "authorization" && Fuzz.asciiLowercased($0.value.drop { $0 == " " || $0 == "\t" }).hasPrefix("bearer")
        }
        Fuzz.require(!bearerAuthorization, "a token from \(tokenHeader) beside a bearer Authorization: \(context)")
    }
}

/// A query parameter named `access_token` after percent-decoding, in any ASCII case, with
/// `&` or `;` between parameters, read as servers read a query: over its bytes (Python's
/// `parse_qs`, Go's `ParseQuery`, PHP), not over Swift's grapheme clusters.
func queryNamesAccessToken(_ query: String) -> Bool {
    for parameter in query.utf8.split(whereSeparator: { $0 == UInt8(ascii: "&") || $0 == UInt8(ascii: ";") }) {
        let name = parameter.prefix { $0 != UInt8(ascii: "=") }
        if Fuzz.asciiLowercased(String(decoding: percentDecoded(Array(name)), as: UTF8.self)) == "access_token" { return true }
    }
    return false
}

/// `%XX` decoded to its byte, anything else (a stray `%` too) kept.
func percentDecoded(_ bytes: [UInt8]) -> [UInt8] {
    func hex(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
    var out: [UInt8] = []
    var index = 0
    while index < bytes.count {
        if bytes[index] == UInt8(ascii: "%"), index + 2 < bytes.count,
           let high = hex(bytes[index + 1]), let low = hex(bytes[index + 2]) {
            out.append(high << 4 | low)
            index += 3
        } else {
            out.append(bytes[index])
            index += 1
        }
    }
    return out
}

/// RFC 7235 token68: `1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="`.
func isToken68(_ token: String) -> Bool {
    let body = token.utf8.prefix { $0 != UInt8(ascii: "=") }
    guard !body.isEmpty, token.utf8.dropFirst(body.count).allSatisfy({ $0 == UInt8(ascii: "=") }) else { return false }
    return body.allSatisfy { byte in
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
        default: "-._~+/".utf8.contains(byte)
        }
    }
}

func swapASCIICase(_ text: String) -> String {
    String(decoding: text.utf8.map { byte in
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"): byte ^ 0x20
        default: byte
        }
    }, as: UTF8.self)
}
