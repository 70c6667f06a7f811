import Foundation
import MCPAuth
import MCPPolicy
import MCPProxyConfig
import MCPTokenVerification

/// Where the issuer's verification keys come from (the JWKS, fetched and cached by the
/// server layer). `refresh` asks for a fresh fetch, which implementations rate-limit and
/// run single-flight; it is used once when a token names an unknown `kid`.
public protocol KeySource: Sendable {
    func keys(refresh: Bool) async throws -> VerificationKeys
}

/// Reads mounted Secret files (upstream credentials, session tokens).
public protocol SecretFiles: Sendable {
    func contents(of path: String) -> String?
}

/// Everything the pipeline needs for one config revision, prepared once per load.
public struct ProxyRuntime: Sendable {
    public let config: ProxyConfig
    let policy: CompiledPolicy
    let scopes: ScopePolicy?
    let origins: OriginPolicy
    let metadataDocument: Data?
    let verifier: TokenVerifier?
    public let keySource: (any KeySource)?
    let secrets: any SecretFiles
    let sanitizer: HeaderSanitizer

    public init(config: ProxyConfig, keySource: (any KeySource)?, secrets: any SecretFiles) {
        self.config = config
        policy = CompiledPolicy(config)
        origins = OriginPolicy(allowedOrigins: config.auth.allowedOrigins)
        metadataDocument = ProtectedResourceMetadata.document(for: config)
        if let oauth = config.auth.oauth {
            scopes = ScopePolicy(oauth: oauth, tools: config.tools)
            verifier = TokenVerifier(issuer: oauth.issuer, audience: oauth.audience, algorithms: oauth.allowedAlgorithms, clockSkewSeconds: oauth.clockSkewSeconds)
        } else {
            scopes = nil
            verifier = nil
        }
        self.keySource = keySource
        self.secrets = secrets
        sanitizer = HeaderSanitizer(config: config)
    }
}
