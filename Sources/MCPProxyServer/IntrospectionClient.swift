import Foundation
import KubeCore
import Logging
import MCPProxyCore
import MCPTokenVerification

/// RFC 7662 introspection at the issuer's `introspection_endpoint`, authenticated with the
/// proxy's own client credentials. Active answers are cached by the token's SHA-256 until
/// the token's `exp` and at most `maxAge` (so a revocation at the issuer is seen within
/// `maxAge`); inactive answers and failures are not cached.
actor IntrospectionClient: TokenIntrospector {
    private let http: IssuerHTTP
    private let metadata: AuthorizationServerMetadata
    private let logger: Logger
    private let maxAge: TimeInterval
    private var cache = ExpiringCache<String, [String: JSONValue]>(capacity: 10_000)

    init(http: IssuerHTTP, metadata: AuthorizationServerMetadata, logger: Logger, maxAge: TimeInterval = 60) {
        self.http = http
        self.metadata = metadata
        self.logger = logger
        self.maxAge = maxAge
    }

    func introspect(_ token: String, credentials: ClientCredentials) async throws -> [String: JSONValue] {
        let key = AuditRecord.digest(of: token)
        if let cached = cache.value(for: key, now: Date()) { return cached }
        let endpoint = try await metadata.endpoint("introspection_endpoint")
        let (status, response) = try await http.postForm(
            endpoint, [("token", token), ("token_type_hint", "access_token")], credentials: (credentials.clientID, credentials.secret)
        )
        guard status == 200, response["active"] != nil else {
            // 401 here means the proxy's own credentials are wrong: an operator's problem.
            logger.error("introspection failed", metadata: ["endpoint": "\(endpoint)", "status": "\(status)", "error": "\(response["error"]?.stringValue ?? "-")"])
            throw IssuerError("introspection answered HTTP \(status)")
        }
        if response["active"] == .bool(true) {
            let now = Date()
            var until = now.addingTimeInterval(maxAge)
            if let exp = TokenVerifier.seconds(response["exp"]) { until = min(until, Date(timeIntervalSince1970: exp)) }
            cache.insert(response, for: key, until: until, now: now)
        }
        return response
    }
}
