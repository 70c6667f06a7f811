import Foundation
import KubeCore

extension ServerResolver {
    struct AuthOutcome {
        var settings: ResolvedAuth
        var unusableReason: String?
    }

    static let unresolvableAudienceReason =
        "oauth mode needs a resource URI to bind tokens to, and none is configured"
    static let unresolvableAudienceHint =
        "set spec.publicURL or spec.ingressHost (the audience defaults to the canonical URI), or set spec.auth.audience"

    mutating func resolveAuth(resource: ResourceURI?) -> AuthOutcome {
        let path = Self.spec.child("auth")
        let auth = spec.auth ?? AuthConfig(mode: AuthMode.none.rawValue).defaulted()
        let mode = issues.choice(auth.mode, as: AuthMode.self, at: path.child("mode"))
        let headers = [
            ("humanIDHeader", auth.humanIDHeader), ("agentIDHeader", auth.agentIDHeader),
            ("teamIDHeader", auth.teamIDHeader), ("sessionIDHeader", auth.sessionIDHeader),
            ("tokenHeader", auth.tokenHeader),
        ]
        for (field, value) in headers {
            if let value, !Syntax.isHTTPToken(value) {
                issues.invalid(path.child(field), "\"\(value)\" is not a valid HTTP header name")
            }
        }
        var origins: [String] = []
        for (index, origin) in (auth.allowedOrigins ?? []).enumerated() {
            if let normalized = Syntax.normalizedOrigin(origin) {
                origins.append(normalized)
            } else {
                issues.invalid(path.child("allowedOrigins").index(index), "\"\(origin)\" is not an origin", hint: "use scheme://host[:port] with no path, e.g. https://app.example.com")
            }
        }
        if let resource { origins.append(resource.origin) }

        var oauth: ResolvedOAuth?
        var unusableReason: String?
        if mode == .oauth {
            (oauth, unusableReason) = resolveOAuth(auth, resource: resource, at: path)
        } else {
            let oauthOnly: [(String, Bool)] = [
                ("issuerURL", auth.issuerURL != nil), ("audience", auth.audience != nil),
                ("requiredScopes", auth.requiredScopes != nil), ("scopesSupported", auth.scopesSupported != nil),
                ("allowedAlgorithms", auth.allowedAlgorithms != nil), ("jwksURI", auth.jwksURI != nil),
                ("introspection", auth.introspection != nil), ("requireAccessTokenType", auth.requireAccessTokenType != nil),
                ("issuerMaxStalenessSeconds", auth.issuerMaxStalenessSeconds != nil), ("teamClaim", auth.teamClaim != nil), ("sessionClaim", auth.sessionClaim != nil),
                ("issuerCASecretRef", auth.issuerCASecretRef != nil),
            ]
            for (field, isSet) in oauthOnly where isSet {
                issues.warn(path.child(field), "ignored because spec.auth.mode is not oauth")
            }
        }
        let trustedSources = resolveTrustedSources(auth.trustedSources, mode: mode, at: path.child("trustedSources"))
        let settings = ResolvedAuth(
            mode: mode ?? .none,
            humanIDHeader: auth.humanIDHeader ?? Defaults.humanIDHeader,
            agentIDHeader: auth.agentIDHeader ?? Defaults.agentIDHeader,
            teamIDHeader: auth.teamIDHeader ?? Defaults.teamIDHeader,
            sessionIDHeader: auth.sessionIDHeader ?? Defaults.sessionIDHeader,
            tokenHeader: auth.tokenHeader ?? Defaults.tokenHeader,
            allowedOrigins: Array(Set(origins)).sorted(),
            trustedSources: trustedSources,
            oauth: oauth
        )
        return AuthOutcome(settings: settings, unusableReason: unusableReason)
    }

    private mutating func resolveOAuth(_ auth: AuthConfig, resource: ResourceURI?, at path: FieldPath) -> (ResolvedOAuth, String?) {
        let issuer = auth.issuerURL ?? ""
        if issuer.isEmpty {
            issues.required(path.child("issuerURL"), "oauth mode needs the authorization server's issuer", hint: "set spec.auth.issuerURL to the issuer exactly as its metadata spells it, e.g. https://auth.example.com/realms/mcp")
        } else {
            _ = parseURI(issuer, at: path.child("issuerURL"), hint: "use the issuer's https URL exactly as its metadata's \"issuer\" spells it")
        }
        // Checked before anything can make the server fail closed, so that a broken
        // reference is always reported.
        let issuerCA = secretRef(auth.issuerCASecretRef, at: path.child("issuerCASecretRef"), required: false)

        var audience = auth.audience
        if let explicit = audience {
            if let components = URLComponents(string: explicit), components.scheme != nil, components.fragment == nil, !explicit.contains(where: \.isWhitespace) {
                if let resource, explicit != resource.description {
                    issues.warn(path.child("audience"), "differs from the canonical resource URI \(resource); spec-following clients request tokens for the canonical URI", hint: "remove spec.auth.audience unless your authorization server maps the resource to this audience")
                }
            } else {
                issues.invalid(path.child("audience"), "\"\(explicit)\" is not an absolute URI without a fragment", hint: "use the canonical URI clients connect to, e.g. https://mcp.example.com/team-a/mcp")
                return (Self.unusableOAuth(issuer: issuer), Self.unresolvableAudienceReason)
            }
        } else {
            audience = resource?.description
        }
        var unusableReason: String?
        if audience == nil || resource == nil {
            unusableReason = Self.unresolvableAudienceReason
            issues.add(ValidationIssue(.error, .unresolvableAudience, path.child("audience"), Self.unresolvableAudienceReason + "; the proxy refuses every request until it is", hint: Self.unresolvableAudienceHint))
        }

        let requiredScopes = scopes(auth.requiredScopes, at: path.child("requiredScopes"))
        let scopesSupported = auth.scopesSupported.map { scopes($0, at: path.child("scopesSupported")) } ?? requiredScopes

        var algorithms: [SigningAlgorithm] = []
        for (index, name) in (auth.allowedAlgorithms ?? []).enumerated() {
            let item = path.child("allowedAlgorithms").index(index)
            if name.uppercased().hasPrefix("HS") || name.lowercased() == "none" {
                issues.add(ValidationIssue(.error, .forbidden, item, "\"\(name)\" is not allowed: the proxy verifies tokens with the authorization server's public keys only", hint: "use asymmetric algorithms: \(SigningAlgorithm.allowedValues.joined(separator: ", "))"))
            } else if let algorithm = issues.choice(name, as: SigningAlgorithm.self, at: item) {
                algorithms.append(algorithm)
            }
        }
        issues.unique(auth.allowedAlgorithms ?? [], at: path.child("allowedAlgorithms"), what: "algorithm")
        if auth.allowedAlgorithms == nil { algorithms = SigningAlgorithm.allCases }

        if let jwksURI = auth.jwksURI {
            _ = parseURI(jwksURI, at: path.child("jwksURI"), hint: "use the https URL of the authorization server's JWKS")
        }
        var introspection: Introspection?
        if let config = auth.introspection {
            let item = path.child("introspection")
            let secret = secretRef(config.clientSecretRef, at: item.child("clientSecretRef"))
            if let clientID = config.clientID, !clientID.isEmpty {
                if let secret { introspection = Introspection(clientID: clientID, secret: secret) }
            } else {
                issues.required(item.child("clientID"), "introspection needs the proxy's client id at the authorization server")
            }
        }
        let skew = auth.clockSkewSeconds ?? Defaults.clockSkewSeconds
        if !(0...300).contains(skew) {
            issues.invalid(path.child("clockSkewSeconds"), "must be between 0 and 300 seconds")
        }
        for (field, claim) in [("teamClaim", auth.teamClaim), ("sessionClaim", auth.sessionClaim)] {
            if let claim, claim.isEmpty || claim.contains(where: \.isWhitespace) {
                issues.invalid(path.child(field), "\"\(claim)\" is not a claim name")
            }
        }
        if let staleness = auth.issuerMaxStalenessSeconds, !Defaults.issuerMaxStalenessRange.contains(staleness) {
            issues.invalid(path.child("issuerMaxStalenessSeconds"), "must be between \(Defaults.issuerMaxStalenessRange.lowerBound) and \(Defaults.issuerMaxStalenessRange.upperBound) seconds", hint: "the proxy refreshes the issuer's keys every 300 s; this bounds how long it trusts them while the issuer is unreachable")
        }
        let resolved = ResolvedOAuth(
            issuer: issuer,
            audience: resource == nil ? nil : audience,
            requiredScopes: requiredScopes,
            scopesSupported: scopesSupported,
            allowedAlgorithms: algorithms,
            jwksURI: auth.jwksURI,
            introspection: introspection,
            clockSkewSeconds: skew,
            teamClaims: auth.teamClaim.map { [$0] } ?? Defaults.teamClaims,
            sessionClaim: auth.sessionClaim,
            requireAccessTokenType: auth.requireAccessTokenType ?? false,
            issuerMaxStalenessSeconds: auth.issuerMaxStalenessSeconds,
            issuerCA: issuerCA
        )
        return (resolved, unusableReason)
    }

    /// Settings that bind no audience: only ever rendered for a server that fails closed.
    static func unusableOAuth(issuer: String) -> ResolvedOAuth {
        ResolvedOAuth(issuer: issuer, audience: nil, requiredScopes: [], scopesSupported: [], allowedAlgorithms: [], jwksURI: nil, introspection: nil, clockSkewSeconds: Defaults.clockSkewSeconds, teamClaims: Defaults.teamClaims)
    }

    /// Validates a list of OAuth scopes; returns the valid ones, in order.
    mutating func scopes(_ list: [String]?, at path: FieldPath) -> [String] {
        var valid: [String] = []
        for (index, scope) in (list ?? []).enumerated() {
            if Syntax.isScopeToken(scope) {
                valid.append(scope)
            } else {
                issues.invalid(path.index(index), "\"\(scope)\" is not an OAuth scope", hint: "one scope per list item, printable ASCII without spaces, quotes or backslashes")
            }
        }
        issues.unique(list ?? [], at: path, what: "scope")
        return valid
    }
}
