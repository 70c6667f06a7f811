import Foundation
import FuzzSupport
import MCPAuth

/// `ChallengeParser.parse` on any `WWW-Authenticate` value, and the proxy's own
/// challenges through it. The first byte chooses: even, the rest is a header value, which
/// must not crash the parser and, when it parses, reads back the same after being written
/// out again; odd, the rest is lines (resource_metadata or `-`, scopes, error_description
/// or `-`) for a `BearerChallenge`, whose header value must parse to exactly that one
/// challenge, with a description that cannot look like a parameter.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzChallenge(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    checkChallenge(Fuzz.bytes(data, size))
    return 0
}

#if !FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
@main enum Replay {
    static func main() { Fuzz.replay(checkChallenge) }
}
#endif

func checkChallenge(_ input: [UInt8]) {
    guard let mode = input.first else { return }
    let rest = Array(input.dropFirst())
    if mode & 1 == 0 {
        checkParse(String(decoding: rest, as: UTF8.self))
    } else {
        checkRendered(rest, error: mode >> 1)
    }
}

func checkParse(_ header: String) {
    let challenges: [ChallengeParser.Challenge]
    do {
        challenges = try ChallengeParser.parse(header)
    } catch {
        return
    }
    for challenge in challenges {
        Fuzz.require(!challenge.scheme.isEmpty && challenge.scheme.unicodeScalars.allSatisfy(isTokenScalar), "scheme \(challenge.scheme.debugDescription) from \(header.debugDescription)")
        Fuzz.require(challenge.scheme == Fuzz.asciiLowercased(challenge.scheme), "scheme \(challenge.scheme.debugDescription) not lowercased")
        for name in challenge.parameters.keys {
            Fuzz.require(!name.isEmpty && name.unicodeScalars.allSatisfy(isTokenScalar) && name == Fuzz.asciiLowercased(name), "parameter name \(name.debugDescription) from \(header.debugDescription)")
        }
    }
    let written = challenges.map(render).joined(separator: ", ")
    let reread: [ChallengeParser.Challenge]
    do {
        reread = try ChallengeParser.parse(written)
    } catch {
        return Fuzz.require(false, "\(header.debugDescription) parsed, written out as \(written.debugDescription) it does not (\(error))")
    }
    Fuzz.require(reread.map(\.scheme) == challenges.map(\.scheme) && zip(reread, challenges).allSatisfy { same($0.parameters, $1.parameters) },
                 "\(header.debugDescription) parsed as \(challenges), written out as \(written.debugDescription) as \(reread)")
}

func checkRendered(_ input: [UInt8], error selector: UInt8) {
    let lines = Fuzz.lines(input, limit: 3)
    func optional(_ index: Int) -> String? { index < lines.count && lines[index] != "-" ? lines[index] : nil }
    let scope = lines.count > 1 ? lines[1].split(separator: " ").map(String.init) : []
    let errors: [BearerChallenge.ErrorCode?] = [nil, .invalidRequest, .invalidToken, .insufficientScope]
    let challenge = BearerChallenge(
        resourceMetadata: optional(0), scope: scope, error: errors[Int(selector) % errors.count], errorDescription: optional(2))
    let header = challenge.headerValue
    let parsed: [ChallengeParser.Challenge]
    do {
        parsed = try ChallengeParser.parse(header)
    } catch {
        return Fuzz.require(false, "the proxy's challenge \(header.debugDescription) does not parse (\(error)), from \(challenge)")
    }
    Fuzz.require(parsed.count == 1 && parsed[0].scheme == "bearer" && !parsed[0].duplicateParameters,
                 "the proxy's challenge \(header.debugDescription) parses as \(parsed), from \(challenge)")
    guard let read = parsed.first else { return }
    var expected: [String: String] = [:]
    if let resourceMetadata = challenge.resourceMetadata { expected["resource_metadata"] = resourceMetadata }
    if !scope.isEmpty { expected["scope"] = scope.joined(separator: " ") }
    if let error = challenge.error { expected["error"] = error.rawValue }
    let description = read.parameters["error_description"]
    if challenge.errorDescription != nil {
        Fuzz.require(description != nil, "the description went missing from \(header.debugDescription)")
        expected["error_description"] = description
    }
    Fuzz.require(same(read.parameters, expected), "the proxy's challenge \(header.debugDescription) reads as \(read.parameters), not \(expected)")
    if let description {
        Fuzz.require(!description.utf8.contains { [UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "=")].contains($0) || $0 < 0x20 || $0 == 0x7F },
                     "error_description \(description.debugDescription) has a quote, backslash, = or control character, from \(challenge)")
    }
}

/// A challenge written out as RFC 9110 says: `scheme name="value", ...`.
func render(_ challenge: ChallengeParser.Challenge) -> String {
    let parameters = challenge.parameters.sorted { $0.key < $1.key }.map { name, value in
        var quoted = "\""
        for scalar in value.unicodeScalars {
            if scalar == "\"" || scalar == "\\" { quoted.unicodeScalars.append("\\") }
            quoted.unicodeScalars.append(scalar)
        }
        return "\(name)=\(quoted)\""
    }
    return parameters.isEmpty ? challenge.scheme : challenge.scheme + " " + parameters.joined(separator: ", ")
}

/// Equal parameters, values compared as UTF-8 bytes.
func same(_ a: [String: String], _ b: [String: String]) -> Bool {
    a.count == b.count && a.allSatisfy { name, value in b[name].map { Array($0.utf8) == Array(value.utf8) } ?? false }
}

func isTokenScalar(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar {
    case "a"..."z", "A"..."Z", "0"..."9": true
    default: "!#$%&'*+-.^_`|~".unicodeScalars.contains(scalar)
    }
}
