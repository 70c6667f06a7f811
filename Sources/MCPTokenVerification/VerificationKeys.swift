import Crypto
import Foundation
import JWTKit
import KubeCore
import MCPAuth
import MCPRuntimeAPI
import Synchronization

/// The verification keys of one JWKS document, filtered to what may verify access
/// tokens: signature keys (`use` absent or `sig`) of type RSA, EC or OKP with a `kid`,
/// whose own `alg`, if any, is allowed. Odd keys are skipped one by one instead of
/// failing the whole set (as jwt-kit would).
///
/// It also remembers the tokens whose signature verified with these keys (by SHA-256,
/// until their `exp`), so a repeated token skips the signature and the parsing, never
/// the checks: `TokenVerifier` runs every header and claim check on each use. A new key
/// set (a refetch, a rotation) starts with nothing remembered.
public final class VerificationKeys: Sendable {
    struct Key: Sendable {
        var members: [String: JSONValue]
        var kty: String
        var crv: String?
        var alg: SigningAlgorithm?
    }

    let keys: [String: Key]
    /// The key ids skipped, with why (for logs).
    public let skipped: [String]
    /// One-key collections per (kid, alg), built on first use.
    private let collections = Mutex<[String: JWTKeyCollection]>([:])
    private let verified: Mutex<ExpiringCache<SHA256Digest, VerifiedToken>>?

    /// A token whose signature verified: its header and claims.
    struct VerifiedToken: Sendable {
        var header: TokenVerifier.Header
        var claims: TokenClaims
    }

    public var keyIDs: [String] { keys.keys.sorted() }

    /// - Parameter remembering: how many verified tokens to remember at most; 0 for none.
    public init(jwks: Data, allowed: [SigningAlgorithm], remembering capacity: Int = 10_000) throws(TokenRejection) {
        verified = capacity > 0 ? Mutex(ExpiringCache(capacity: capacity)) : nil
        guard case .object(let document)? = try? JSONDecoder().decode(JSONValue.self, from: jwks),
              case .array(let entries)? = document["keys"]
        else { throw .malformed }
        var keys: [String: Key] = [:]
        var skipped: [String] = []
        for entry in entries {
            guard case .object(let members) = entry, let kid = members["kid"]?.stringValue, !kid.isEmpty else {
                skipped.append("<no kid>: a key without kid cannot be selected safely")
                continue
            }
            let kty = members["kty"]?.stringValue ?? ""
            let use = members["use"]?.stringValue
            guard ["RSA", "EC", "OKP"].contains(kty) else { skipped.append("\(kid): key type \(kty) is not for signatures"); continue }
            guard use == nil || use == "sig" else { skipped.append("\(kid): use \(use ?? "") is not sig"); continue }
            var alg: SigningAlgorithm?
            if let name = members["alg"]?.stringValue {
                guard let parsed = SigningAlgorithm(rawValue: name), allowed.contains(parsed) else {
                    skipped.append("\(kid): algorithm \(name) is not allowed")
                    continue
                }
                alg = parsed
            }
            if keys[kid] != nil { skipped.append("\(kid): duplicate kid; the first key is used"); continue }
            keys[kid] = Key(members: members, kty: kty, crv: members["crv"]?.stringValue, alg: alg)
        }
        self.keys = keys
        self.skipped = skipped
    }

    /// How many verified tokens are remembered now (for tests and metrics).
    public var rememberedCount: Int { verified?.withLock { $0.count } ?? 0 }

    func remembered(_ digest: SHA256Digest, now: Date) -> VerifiedToken? {
        verified?.withLock { $0.value(for: digest, now: now) }
    }

    func remember(_ token: VerifiedToken, digest: SHA256Digest, until: Date, now: Date) {
        verified?.withLock { $0.insert(token, for: digest, until: until, now: now) }
    }

    /// A collection holding only the key `kid`, pinned to `alg`.
    func collection(kid: String, alg: SigningAlgorithm) async throws(TokenRejection) -> JWTKeyCollection {
        let cacheKey = "\(kid)\u{0}\(alg.rawValue)"
        if let cached = collections.withLock({ $0[cacheKey] }) { return cached }
        guard var members = keys[kid]?.members else { throw .unknownKey(kid) }
        members["alg"] = .string(alg.rawValue)
        let collection = JWTKeyCollection()
        do {
            let jwk = try JSONDecoder().decode(JWK.self, from: KubeJSON.encode(JSONValue.object(members)))
            try await collection.add(jwk: jwk, isDefault: true)
        } catch {
            throw .keyDoesNotFitAlgorithm
        }
        return collections.withLock { cache in
            if let existing = cache[cacheKey] { return existing }
            cache[cacheKey] = collection
            return collection
        }
    }
}
