import Foundation
import JWTKit
import KubeCore
import MCPRuntimeAPI
import Synchronization

/// The verification keys of one JWKS document, filtered to what may verify access
/// tokens: signature keys (`use` absent or `sig`) of type RSA, EC or OKP with a `kid`,
/// whose own `alg`, if any, is allowed. Odd keys are skipped one by one instead of
/// failing the whole set (as jwt-kit would).
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

    public var keyIDs: [String] { keys.keys.sorted() }

    public init(jwks: Data, allowed: [SigningAlgorithm]) throws(TokenRejection) {
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
