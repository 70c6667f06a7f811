/// Why an access token was refused. Descriptions are safe to log and to put in
/// `error_description`: they never contain the token or its claims' values.
public enum TokenRejection: Error, Sendable, Hashable, CustomStringConvertible {
    case malformed
    case algorithmNotAllowed(String)
    case missingKeyID
    /// No key with this `kid` is loaded: refetch the JWKS (once) before refusing.
    case unknownKey(String)
    case keyDoesNotFitAlgorithm
    case badSignature
    case wrongIssuer
    case wrongAudience
    case missingExpiry
    case expired
    case notYetValid
    case wrongType
    /// The header has `crit`: the proxy understands no JWS extension (RFC 7515 §4.1.11).
    case criticalHeader
    /// `exp`, `nbf` or `iat` is present but not a JSON number (RFC 7519 NumericDate).
    case notANumber(String)
    /// Introspection said `active: false` (revoked, expired or unknown at the issuer).
    case inactive

    public var description: String {
        switch self {
        case .malformed: "the token is not a well-formed JWT"
        case .algorithmNotAllowed(let alg): "signing algorithm \(alg.prefix(16)) is not allowed"
        case .missingKeyID: "the token names no key id"
        case .unknownKey: "the token's key id is not among the issuer's keys"
        case .keyDoesNotFitAlgorithm: "the key does not fit the token's algorithm"
        case .badSignature: "the signature does not verify"
        case .wrongIssuer: "the token is from another issuer"
        case .wrongAudience: "the token is not for this resource"
        case .missingExpiry: "the token has no expiry"
        case .expired: "the token has expired"
        case .notYetValid: "the token is not yet valid"
        case .wrongType: "the token is not an access token (typ)"
        case .criticalHeader: "the token's header has crit: no extension is understood"
        case .notANumber(let claim): "the claim \(claim.prefix(16)) is not a number"
        case .inactive: "the authorization server reports the token inactive"
        }
    }
}
