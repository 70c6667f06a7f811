import Foundation
import KubeCore
import Logging
import MCPProxyCore
import MCPTokenVerification

/// RFC 8693 token exchange at the issuer's `token_endpoint`: the caller's access token
/// (`subject_token`) for one issued to the upstream's `audience`, authenticated with the
/// proxy's own client credentials. Issued tokens are cached per subject token (its
/// SHA-256), audience and scopes until `expires_in` (less a margin, so a token is never
/// sent as it expires), and never beyond the subject token's own `exp`: an exchanged
/// token never outlives, nor stands in for, the token it was exchanged for.
actor TokenExchangeClient: TokenExchanger {
    static let grantType = "urn:ietf:params:oauth:grant-type:token-exchange"
    static let accessTokenType = "urn:ietf:params:oauth:token-type:access_token"

    private let http: IssuerHTTP
    private let metadata: AuthorizationServerMetadata
    private let logger: Logger
    /// Used when the answer carries no `expires_in`.
    private let defaultLifetime: TimeInterval
    private let margin: TimeInterval
    private var cache = ExpiringCache<String, String>(capacity: 10_000)

    init(http: IssuerHTTP, metadata: AuthorizationServerMetadata, logger: Logger, defaultLifetime: TimeInterval = 60, margin: TimeInterval = 10) {
        self.http = http
        self.metadata = metadata
        self.logger = logger
        self.defaultLifetime = defaultLifetime
        self.margin = margin
    }

    func exchange(_ request: TokenExchangeRequest, credentials: ClientCredentials) async throws(TokenExchangeFailure) -> String {
        let key = [AuditRecord.digest(of: request.subjectToken), request.audience, request.scopes.joined(separator: " "), credentials.clientID].joined(separator: "\u{0}")
        if let token = cache.value(for: key, now: Date()) { return token }
        var form = [
            ("grant_type", Self.grantType), ("subject_token", request.subjectToken), ("subject_token_type", Self.accessTokenType),
            ("requested_token_type", Self.accessTokenType), ("audience", request.audience),
        ]
        if !request.scopes.isEmpty { form.append(("scope", request.scopes.joined(separator: " "))) }
        let status: Int
        let response: [String: JSONValue]
        do {
            let endpoint = try await metadata.endpoint("token_endpoint")
            (status, response) = try await http.postForm(endpoint, form, credentials: (credentials.clientID, credentials.secret))
        } catch {
            logger.error("token exchange failed", metadata: ["error": "\(error)"])
            throw .unavailable("\(error)")
        }
        if (400..<500).contains(status), let code = response["error"]?.stringValue {
            logger.warning("token exchange refused", metadata: ["status": "\(status)", "error": "\(code)"])
            throw .refused(String(code.prefix(64)))
        }
        guard status == 200, let token = response["access_token"]?.stringValue, !token.isEmpty else {
            logger.error("token exchange answered without a token", metadata: ["status": "\(status)"])
            throw .unavailable("HTTP \(status)")
        }
        let now = Date()
        let lifetime = TokenVerifier.seconds(response["expires_in"]) ?? defaultLifetime
        cache.insert(token, for: key, until: Self.cachedUntil(now: now, lifetime: lifetime, margin: margin, subjectExpiry: request.subjectExpiry), now: now)
        return token
    }

    /// The end of the exchanged token's lifetime less the margin, or the subject token's
    /// expiry if that comes first.
    static func cachedUntil(now: Date, lifetime: TimeInterval, margin: TimeInterval, subjectExpiry: Date?) -> Date {
        let own = now.addingTimeInterval(lifetime - margin)
        guard let subjectExpiry else { return own }
        return min(own, subjectExpiry)
    }
}
