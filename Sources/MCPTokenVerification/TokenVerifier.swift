import StrictJSON
import Foundation
import JWTKit
import KubeCore
import MCPAuth
import MCPRuntimeAPI

/// Verifies JWT access tokens (RFC 9068) for one protected resource: the header's `alg`
/// must be allowed (asymmetric only, so never `none` or HMAC), its `kid` must name a
/// loaded key whose type and own `alg` fit, the signature must verify, `iss` must equal
/// the issuer exactly, `aud` must contain the audience, `exp` must be present and in the
/// future and `nbf` not in the future, both with the configured skew. Strict on form:
/// every segment canonical unpadded base64url (RFC 7515 §2), no `crit` header (no
/// extension is understood, RFC 7515 §4.1.11), `exp`, `nbf` and `iat` JSON numbers.
public struct TokenVerifier: Sendable {
    public let issuer: String
    public let audience: String
    public let algorithms: Set<SigningAlgorithm>
    public let clockSkew: TimeInterval
    /// When true, `typ` must be `at+jwt` or `application/at+jwt`, in any ASCII case
    /// (RFC 9068 §4); many identity providers send `JWT`.
    public let requireAccessTokenType: Bool

    public init(issuer: String, audience: String, algorithms: [SigningAlgorithm], clockSkewSeconds: Int, requireAccessTokenType: Bool = false) {
        self.issuer = issuer
        self.audience = audience
        self.algorithms = Set(algorithms)
        self.clockSkew = TimeInterval(clockSkewSeconds)
        self.requireAccessTokenType = requireAccessTokenType
    }

    /// The header fields that select the key, read before any key is touched.
    public struct Header: Sendable, Hashable {
        public var alg: String
        public var kid: String?
        public var typ: String?
        /// The header has a `crit` member (of any value): refused, no extension is understood.
        public var critical: Bool = false
    }

    /// Parses the header of a compact JWS without verifying anything. Every segment must
    /// be canonical base64url: no padding, nothing outside the alphabet, no length of 1
    /// modulo 4, unused trailing bits zero (a token has one spelling). Header and payload
    /// are strict JSON objects (`StrictJSONReader`: no repeated member, which jwt-kit and
    /// this reader could otherwise each take differently).
    public static func header(of token: String) throws(TokenRejection) -> Header {
        let segments = token.utf8.split(separator: UInt8(ascii: "."), maxSplits: 3, omittingEmptySubsequences: false)
        guard segments.count == 3, !segments[0].isEmpty, !segments[1].isEmpty,
              Base64URL.isCanonical(segments[2]),
              let data = Base64URL.decode(segments[0]), let payload = Base64URL.decode(segments[1]),
              let header = try? readHeader(data), isStrictObject(payload)
        else { throw .malformed }
        return header
    }

    private static func isStrictObject(_ data: Data) -> Bool {
        do throws(StrictJSONError) {
            return try StrictJSONReader.read(data) { reader throws(StrictJSONError) -> Bool in
                guard try reader.peek() == .object else { return false }
                try reader.skipValue(depth: 0)
                return true
            }
        } catch {
            return false
        }
    }

    /// `alg` (a string), `kid` and `typ` (of another JSON type: absent), and whether `crit`
    /// is present at all (even `null`, empty or not an array).
    private static func readHeader(_ data: Data) throws(StrictJSONError) -> Header {
        try StrictJSONReader.read(data) { reader throws(StrictJSONError) in
            guard try reader.peek() == .object else { throw .syntax(at: 0) }
            var alg: String?
            var header = Header(alg: "")
            try reader.readObject(depth: 0) { reader, name throws(StrictJSONError) in
                let isString = try reader.peek() == .string
                switch name {
                case "alg" where isString: alg = try reader.readString()
                case "kid" where isString: header.kid = try reader.readString()
                case "typ" where isString: header.typ = try reader.readString()
                case "crit":
                    header.critical = true
                    try reader.skipValue(depth: 1)
                default: try reader.skipValue(depth: 1)
                }
            }
            guard let alg else { throw .syntax(at: 0) }
            header.alg = alg
            return header
        }
    }

    public func verify(_ token: String, keys: VerificationKeys, now: Date) async throws(TokenRejection) -> TokenClaims {
        let digest = TokenDigest.sha256(of: token)
        if let known = keys.remembered(digest, now: now) {
            // Verified before with these very keys: every check but the signature again.
            _ = try check(known.header, keys: keys)
            try check(known.claims, jwt: true, now: now)
            return known.claims
        }
        let header = try Self.header(of: token)
        let (kid, alg) = try check(header, keys: keys)
        let collection = try await keys.collection(kid: kid, alg: alg)
        let payload: VerifiedPayload
        do {
            payload = try await collection.verify(token, as: VerifiedPayload.self)
        } catch {
            throw .badSignature
        }
        let claims = TokenClaims(payload.claims)
        try check(claims, jwt: true, now: now)
        if let expiry = Self.seconds(claims.claims["exp"]) {
            keys.remember(.init(header: header, claims: claims), digest: digest, until: Date(timeIntervalSince1970: expiry + clockSkew), now: now)
        }
        return claims
    }

    /// The header rules: an allowed algorithm, a key id naming a loaded key that fits it,
    /// and `typ` when required. Returns the key id and algorithm.
    private func check(_ header: Header, keys: VerificationKeys) throws(TokenRejection) -> (String, SigningAlgorithm) {
        guard let alg = SigningAlgorithm(rawValue: header.alg), algorithms.contains(alg) else {
            throw .algorithmNotAllowed(header.alg)
        }
        if header.critical { throw .criticalHeader }
        guard let kid = header.kid, !kid.isEmpty else { throw .missingKeyID }
        guard let key = keys.keys[kid] else { throw .unknownKey(kid) }
        guard Self.fits(key, alg) else { throw .keyDoesNotFitAlgorithm }
        if requireAccessTokenType, !Self.isAccessTokenType(header.typ) {
            throw .wrongType
        }
        return (kid, alg)
    }

    /// Checks an RFC 7662 introspection response for this resource: `active` must be
    /// `true`; `aud` must contain the audience (fail closed, as for JWTs); `iss`, `exp`
    /// and `nbf` are optional in RFC 7662 but checked when present.
    public func verify(introspection response: [String: JSONValue], now: Date) throws(TokenRejection) -> TokenClaims {
        guard response["active"] == .bool(true) else { throw .inactive }
        let claims = TokenClaims(response)
        try check(claims, jwt: false, now: now)
        return claims
    }

    /// RFC 9068 §4: `at+jwt`, or its media type `application/at+jwt`, in any ASCII case.
    public static func isAccessTokenType(_ typ: String?) -> Bool {
        guard let typ else { return false }
        return typ.equalsIgnoringASCIICase("at+jwt") || typ.equalsIgnoringASCIICase("application/at+jwt")
    }

    /// The time claims: JSON numbers when present (RFC 7519 §2 NumericDate). In a JWT
    /// `null` is not a number; in an introspection answer it counts as absent.
    static let timeClaims = ["exp", "nbf", "iat"]

    /// The claim rules shared by JWTs and introspection responses; a JWT must have `iss`
    /// and `exp`, an introspection answer need not (RFC 7662), and there `null` is absent.
    private func check(_ claims: TokenClaims, jwt: Bool, now: Date) throws(TokenRejection) {
        for name in Self.timeClaims {
            guard let value = claims.claims[name], jwt || value != .null else { continue }
            guard Self.seconds(value) != nil else {
                if name == "exp", value == .null { throw .missingExpiry }
                throw .notANumber(name)
            }
        }
        let iss = claims.claims["iss"]
        if jwt || iss != nil, iss?.stringValue != issuer { throw .wrongIssuer }
        guard claims.audiences.contains(audience) else { throw .wrongAudience }
        let instant = now.timeIntervalSince1970
        if let expiry = Self.seconds(claims.claims["exp"]) {
            guard instant <= expiry + clockSkew else { throw .expired }
        } else if jwt {
            throw .missingExpiry
        }
        if let notBefore = Self.seconds(claims.claims["nbf"]), instant + clockSkew < notBefore { throw .notYetValid }
    }

    /// True when the token has the shape of a compact JWS (three segments and a header
    /// that reads as JSON, even if spelled non-canonically); anything else is an opaque
    /// token, for introspection. A JWT-shaped token is always verified locally, where a
    /// non-canonical spelling is refused.
    public static func isJWT(_ token: String) -> Bool {
        let segments = token.utf8.split(separator: UInt8(ascii: "."), maxSplits: 3, omittingEmptySubsequences: false)
        guard segments.count == 3, let data = Base64URL.decodeLeniently(segments[0]) else { return false }
        return (try? JSONDecoder().decode([String: JSONValue].self, from: data)) != nil
    }

    /// Key type (and curve) that each algorithm needs, and the key's own `alg` if it has one.
    static func fits(_ key: VerificationKeys.Key, _ alg: SigningAlgorithm) -> Bool {
        if let pinned = key.alg, pinned != alg { return false }
        switch alg {
        case .rs256, .rs384, .rs512, .ps256, .ps384, .ps512: return key.kty == "RSA"
        case .es256: return key.kty == "EC" && key.crv == "P-256"
        case .es384: return key.kty == "EC" && key.crv == "P-384"
        case .edDSA: return key.kty == "OKP" && key.crv == "Ed25519"
        }
    }

    public static func seconds(_ value: JSONValue?) -> Double? {
        switch value {
        case .int(let number)?: Double(number)
        case .double(let number)?: number
        default: nil
        }
    }
}

/// Any payload: the claims as a JSON object. jwt-kit checks only the signature here;
/// every claim is checked by `TokenVerifier`.
struct VerifiedPayload: JWTPayload {
    var claims: [String: JSONValue]

    init(from decoder: any Decoder) throws {
        claims = try [String: JSONValue](from: decoder)
    }

    func encode(to encoder: any Encoder) throws {
        try claims.encode(to: encoder)
    }

    func verify(using algorithm: some JWTAlgorithm) async throws {}
}

/// base64url without padding (RFC 7515 §2), canonical only: the alphabet `A-Z a-z 0-9 - _`,
/// no `=`, no length of 1 modulo 4, and the unused low bits of the last character zero, so
/// that each byte string has exactly one spelling. Translated to base64 for Foundation's decoder.
public enum Base64URL {
    /// The 6-bit value of a base64url character, or nil outside the alphabet.
    static func sextet(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): byte - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): byte - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0") + 52
        case UInt8(ascii: "-"): 62
        case UInt8(ascii: "_"): 63
        default: nil
        }
    }

    /// True when `text` is canonical unpadded base64url (the empty string is: zero bytes).
    public static func isCanonical(_ text: some Collection<UInt8>) -> Bool {
        var last: UInt8 = 0
        for byte in text {
            guard let value = sextet(byte) else { return false }
            last = value
        }
        switch text.count % 4 {
        case 0: return true
        case 2: return last & 0b1111 == 0 // 12 bits carry one byte: the low 4 are unused
        case 3: return last & 0b11 == 0 // 18 bits carry two bytes: the low 2 are unused
        default: return false // 6 bits cannot carry a byte
        }
    }

    /// The canonical unpadded base64url of `bytes`.
    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
        var out: [UInt8] = []
        var buffer: UInt32 = 0
        var bits = 0
        for byte in bytes {
            buffer = buffer << 8 | UInt32(byte)
            bits += 8
            while bits >= 6 {
                bits -= 6
                out.append(alphabet[Int(buffer >> UInt32(bits) & 0x3F)])
            }
        }
        if bits > 0 { out.append(alphabet[Int(buffer << UInt32(6 - bits) & 0x3F)]) }
        return String(decoding: out, as: UTF8.self)
    }

    /// The bytes of canonical base64url `text`; nil for anything else.
    public static func decode(_ text: some Collection<UInt8>) -> Data? {
        guard isCanonical(text) else { return nil }
        return decodeLeniently(text)
    }

    /// The bytes of base64url `text`, padded or not, whatever its unused bits: only to
    /// tell a JWT from an opaque token, never to verify one.
    static func decodeLeniently(_ text: some Collection<UInt8>) -> Data? {
        var base64 = [UInt8]()
        base64.reserveCapacity(text.count + 3)
        for byte in text {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                base64.append(byte)
            case UInt8(ascii: "-"): base64.append(UInt8(ascii: "+"))
            case UInt8(ascii: "_"): base64.append(UInt8(ascii: "/"))
            case UInt8(ascii: "="): break
            default: return nil
            }
        }
        while base64.count % 4 != 0 { base64.append(UInt8(ascii: "=")) }
        return Data(base64Encoded: Data(base64))
    }
}
