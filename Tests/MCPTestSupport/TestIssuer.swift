import Crypto
import CryptoExtras
import Foundation
import JWTKit
import KubeCore
import MCPTokenVerification

/// A stand-in authorization server for unit tests: real RSA and EC keys, a JWKS document
/// built from their public parts, and tokens signed by jwt-kit or crafted by hand.
/// Shared by the test targets: not part of any product.
public struct TestIssuer: Sendable {
    public static let issuer = "https://auth.example.com/realms/mcp"
    public static let audience = "https://mcp.example.com/team-a/mcp"
    public static let now = Date(timeIntervalSince1970: 1_900_000_000)

    public let rsa: JWTKit.Insecure.RSA.PrivateKey
    public let otherRSA: JWTKit.Insecure.RSA.PrivateKey
    public let ec: ES256PrivateKey

    public static let shared: TestIssuer = {
        // Key generation is slow in debug builds: do it once for the whole suite.
        // Failure here means the crypto library is broken; tests cannot run without keys.
        try! TestIssuer()
    }()

    public init() throws {
        rsa = try JWTKit.Insecure.RSA.PrivateKey(backing: _RSA.Signing.PrivateKey(keySize: .bits2048))
        otherRSA = try JWTKit.Insecure.RSA.PrivateKey(backing: _RSA.Signing.PrivateKey(keySize: .bits2048))
        ec = try ES256PrivateKey(backing: P256.Signing.PrivateKey())
    }

    public static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    public func rsaJWK(kid: String, alg: String? = "RS256", extra: [String: JSONValue] = [:]) throws -> JSONValue {
        let primitives = try rsa.publicKey.getKeyPrimitives()
        var members: [String: JSONValue] = ["kty": .string("RSA"), "kid": .string(kid), "n": .string(Self.base64URL(primitives.modulus)), "e": .string(Self.base64URL(primitives.publicExponent))]
        if let alg { members["alg"] = .string(alg) }
        return .object(members.merging(extra) { $1 })
    }

    public func ecJWK(kid: String) -> JSONValue {
        let parameters = ec.publicKey.parameters
        return .object(["kty": .string("EC"), "crv": .string("P-256"), "kid": .string(kid), "x": .string(parameters?.x ?? ""), "y": .string(parameters?.y ?? ""), "use": .string("sig")])
    }

    public func jwks(_ keys: [JSONValue]) throws -> Data {
        try KubeJSON.encode(JSONValue.object(["keys": .array(keys)]))
    }

    /// The standard key set: RSA `rsa-1` (RS256) and EC `ec-1`, remembering up to
    /// `remembering` verified tokens.
    public func keys(remembering: Int = 10_000) throws -> VerificationKeys {
        try VerificationKeys(jwks: jwks([rsaJWK(kid: "rsa-1"), ecJWK(kid: "ec-1")]), allowed: [.rs256, .es256], remembering: remembering)
    }

    /// Valid claims, changed by `edit`.
    public static func claims(_ edit: (inout [String: JSONValue]) -> Void = { _ in }) -> [String: JSONValue] {
        let now = Int64(Self.now.timeIntervalSince1970)
        var claims: [String: JSONValue] = [
            "iss": .string(issuer), "aud": .string(audience), "sub": .string("alice"), "client_id": .string("planner"),
            "scope": .string("mcp:tools"), "iat": .int(now - 10), "nbf": .int(now - 10), "exp": .int(now + 300),
        ]
        edit(&claims)
        return claims
    }

    /// An RS256 token; `header` adds or replaces header members (`typ`, `crit`, …).
    public func signRSA(_ claims: [String: JSONValue], kid: String = "rsa-1", key: JWTKit.Insecure.RSA.PrivateKey? = nil, header: [String: JWTHeaderField] = [:]) async throws -> String {
        let collection = JWTKeyCollection()
        await collection.add(rsa: key ?? rsa, digestAlgorithm: .sha256, kid: JWKIdentifier(string: kid))
        return try await collection.sign(TestPayload(claims: claims), kid: JWKIdentifier(string: kid), header: JWTHeader(fields: header))
    }

    public func signEC(_ claims: [String: JSONValue], kid: String = "ec-1") async throws -> String {
        let collection = JWTKeyCollection()
        await collection.add(ecdsa: ec, kid: JWKIdentifier(string: kid))
        return try await collection.sign(TestPayload(claims: claims), kid: JWKIdentifier(string: kid))
    }

    /// A token assembled by hand: any header, any payload, any signature bytes.
    public static func crafted(header: [String: JSONValue], claims: [String: JSONValue], signature: (Data) -> Data = { _ in Data() }) throws -> String {
        let head = base64URL(try KubeJSON.encode(JSONValue.object(header)))
        let body = base64URL(try KubeJSON.encode(JSONValue.object(claims)))
        let input = Data("\(head).\(body)".utf8)
        return "\(head).\(body).\(base64URL(signature(input)))"
    }
}

public struct TestPayload: JWTPayload {
    public var claims: [String: JSONValue]

    public init(claims: [String: JSONValue]) { self.claims = claims }
    public init(from decoder: any Decoder) throws { claims = try [String: JSONValue](from: decoder) }
    public func encode(to encoder: any Encoder) throws { try claims.encode(to: encoder) }
    public func verify(using algorithm: some JWTAlgorithm) async throws {}
}
