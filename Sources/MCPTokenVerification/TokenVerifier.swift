import Foundation
import JWTKit
import KubeCore
import MCPAuth
import MCPRuntimeAPI

/// Verifies JWT access tokens (RFC 9068) for one protected resource: the header's `alg`
/// must be allowed (asymmetric only, so never `none` or HMAC), its `kid` must name a
/// loaded key whose type and own `alg` fit, the signature must verify, `iss` must equal
/// the issuer exactly, `aud` must contain the audience, `exp` must be present and in the
/// future and `nbf` not in the future, both with the configured skew.
public struct TokenVerifier: Sendable {
    public let issuer: String
    public let audience: String
    public let algorithms: Set<SigningAlgorithm>
    public let clockSkew: TimeInterval
    /// When true, `typ` must be `at+jwt` (RFC 9068); many identity providers send `JWT`.
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
    }

    /// Parses the header of a compact JWS without verifying anything.
    public static func header(of token: String) throws(TokenRejection) -> Header {
        let segments = token.utf8.split(separator: UInt8(ascii: "."), maxSplits: 3, omittingEmptySubsequences: false)
        guard segments.count == 3, !segments[0].isEmpty, !segments[1].isEmpty,
              let data = Base64URL.decode(segments[0]),
              let fields = try? JSONDecoder().decode(HeaderFields.self, from: data)
        else { throw .malformed }
        return Header(alg: fields.alg, kid: fields.kid?.text, typ: fields.typ?.text)
    }

    /// The header members read; `kid` and `typ` of another JSON type count as absent.
    private struct HeaderFields: Decodable {
        var alg: String
        var kid: StringOrOther?
        var typ: StringOrOther?
    }

    private struct StringOrOther: Decodable {
        var text: String?

        init(from decoder: any Decoder) throws {
            text = try? decoder.singleValueContainer().decode(String.self)
        }
    }

    public func verify(_ token: String, keys: VerificationKeys, now: Date) async throws(TokenRejection) -> TokenClaims {
        let digest = TokenDigest.sha256(of: token)
        if let known = keys.remembered(digest, now: now) {
            // Verified before with these very keys: every check but the signature again.
            _ = try check(known.header, keys: keys)
            try check(known.claims, requireIssuer: true, requireExpiry: true, now: now)
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
        try check(claims, requireIssuer: true, requireExpiry: true, now: now)
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
        guard let kid = header.kid, !kid.isEmpty else { throw .missingKeyID }
        guard let key = keys.keys[kid] else { throw .unknownKey(kid) }
        guard Self.fits(key, alg) else { throw .keyDoesNotFitAlgorithm }
        if requireAccessTokenType, !["at+jwt", "application/at+jwt"].contains(where: { header.typ?.equalsIgnoringASCIICase($0) == true }) {
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
        try check(claims, requireIssuer: false, requireExpiry: false, now: now)
        return claims
    }

    /// The claim rules shared by JWTs and introspection responses.
    private func check(_ claims: TokenClaims, requireIssuer: Bool, requireExpiry: Bool, now: Date) throws(TokenRejection) {
        let iss = claims.claims["iss"]
        if requireIssuer || iss != nil, iss?.stringValue != issuer { throw .wrongIssuer }
        guard claims.audiences.contains(audience) else { throw .wrongAudience }
        let instant = now.timeIntervalSince1970
        if let expiry = Self.seconds(claims.claims["exp"]) {
            guard instant <= expiry + clockSkew else { throw .expired }
        } else if requireExpiry || claims.claims["exp"].map({ $0 != .null }) == true {
            throw .missingExpiry
        }
        if let notBefore = Self.seconds(claims.claims["nbf"]), instant + clockSkew < notBefore { throw .notYetValid }
    }

    /// True when the token has the shape of a compact JWS (three segments and a readable
    /// header); anything else is an opaque token, for introspection.
    public static func isJWT(_ token: String) -> Bool {
        (try? header(of: token)) != nil
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

/// base64url without padding (RFC 7515 §2): translated to base64 for Foundation's decoder.
enum Base64URL {
    static func decode(_ text: some Collection<UInt8>) -> Data? {
        var base64 = [UInt8]()
        base64.reserveCapacity(text.count + 3)
        for byte in text {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                base64.append(byte)
            case UInt8(ascii: "-"): base64.append(UInt8(ascii: "+"))
            case UInt8(ascii: "_"): base64.append(UInt8(ascii: "/"))
            default: return nil
            }
        }
        while base64.count % 4 != 0 { base64.append(UInt8(ascii: "=")) }
        return Data(base64Encoded: Data(base64))
    }
}
