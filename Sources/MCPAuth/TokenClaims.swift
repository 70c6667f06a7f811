import KubeCore

/// The claims of a verified access token, and what the proxy reads from them.
public struct TokenClaims: Sendable, Hashable {
    public var claims: [String: JSONValue]

    public init(_ claims: [String: JSONValue]) {
        self.claims = claims
    }

    /// Scopes from `scope` (space-separated, RFC 9068) and `scp` (string or array, as some
    /// identity providers send them). Only RFC 6749 scope tokens (printable ASCII without
    /// space, `"` and `\\`) count: anything else could equal a configured scope under
    /// Swift's Unicode-equivalent `==` (U+212A KELVIN SIGN is `K` there) without being it.
    public var scopes: Set<String> {
        var scopes: Set<String> = []
        for name in ["scope", "scp"] {
            switch claims[name] {
            case .string(let text)?: scopes.formUnion(text.split(separator: " ").map(String.init))
            case .array(let items)?: scopes.formUnion(items.compactMap(\.stringValue))
            default: break
            }
        }
        return scopes.filter { scope in
            !scope.isEmpty && scope.utf8.allSatisfy { $0 == 0x21 || (0x23...0x5B).contains($0) || (0x5D...0x7E).contains($0) }
        }
    }

    /// human = `sub`; agent = `azp`, else `client_id`; team = the first string among
    /// `teamClaims`; session = `sessionClaim`, when one is configured (none by default:
    /// `sid` is the identity provider's own login session, not an agent session).
    public func identity(teamClaims: [String], sessionClaim: String?) -> (human: String?, agent: String?, team: String?, session: String?) {
        (
            claims["sub"]?.stringValue,
            claims["azp"]?.stringValue ?? claims["client_id"]?.stringValue,
            teamClaims.lazy.compactMap { claims[$0]?.stringValue }.first,
            sessionClaim.flatMap { claims[$0]?.stringValue }
        )
    }

    /// The audiences of `aud`, a string or an array of strings.
    public var audiences: [String] {
        switch claims["aud"] {
        case .string(let value)?: [value]
        case .array(let values)?: values.compactMap(\.stringValue)
        default: []
        }
    }
}
