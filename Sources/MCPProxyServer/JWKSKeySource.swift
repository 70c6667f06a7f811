import Foundation
import Logging
import MCPProxyConfig
import MCPProxyCore
import MCPRuntimeAPI
import MCPTokenVerification

/// Fetches the issuer's JWKS — from `jwksURI`, or from `jwks_uri` in the issuer's
/// metadata — and caches it.
/// A refresh (for an unknown `kid`) is single-flight and at most one per `refreshInterval`;
/// keys also expire after `maxAge`. When a fetch fails the last good keys stay in use; with
/// none, verification fails with 503.
actor JWKSKeySource: KeySource {
    private let http: IssuerHTTP
    private let metadata: AuthorizationServerMetadata
    private let jwksURI: String?
    private let algorithms: [SigningAlgorithm]
    private let logger: Logger
    private let metrics: ProxyMetrics
    private let refreshInterval: TimeInterval
    private let maxAge: TimeInterval

    private var cached: (keys: VerificationKeys, fetched: Date)?
    private var lastAttempt: Date?
    private var lastFailure: (any Error)?
    private var inFlight: Task<VerificationKeys, any Error>?

    init(http: IssuerHTTP, metadata: AuthorizationServerMetadata, oauth: ProxyConfig.OAuthSettings, logger: Logger, metrics: ProxyMetrics, refreshInterval: TimeInterval = 10, maxAge: TimeInterval = 300) {
        self.metrics = metrics
        self.http = http
        self.metadata = metadata
        jwksURI = oauth.jwksURI
        algorithms = oauth.allowedAlgorithms
        self.logger = logger
        self.refreshInterval = refreshInterval
        self.maxAge = maxAge
    }

    func keys(refresh: Bool) async throws -> VerificationKeys {
        let now = Date()
        let limited = lastAttempt.map { now.timeIntervalSince($0) < refreshInterval } ?? false
        if let cached {
            let stale = now.timeIntervalSince(cached.fetched) > maxAge
            if (!refresh && !stale) || limited { return cached.keys }
        } else if limited, let lastFailure {
            // The issuer was unreachable a moment ago: do not hit it on every request.
            throw lastFailure
        }
        if let inFlight { return try await inFlight.value }
        lastAttempt = now
        let task = Task { try await self.fetch() }
        inFlight = task
        defer { inFlight = nil }
        do {
            let keys = try await task.value
            cached = (keys, Date())
            lastFailure = nil
            metrics.jwksFetch(succeeded: true)
            return keys
        } catch {
            lastFailure = error
            metrics.jwksFetch(succeeded: false)
            logger.error("cannot load the issuer's keys", metadata: ["issuer": "\(metadata.issuer)", "error": "\(error)"])
            if let cached { return cached.keys }
            throw error
        }
    }

    private func fetch() async throws -> VerificationKeys {
        let location: String
        if let jwksURI { location = jwksURI } else { location = try await metadata.endpoint("jwks_uri") }
        let keys = try VerificationKeys(jwks: try await http.get(location), allowed: algorithms)
        if !keys.skipped.isEmpty {
            logger.info("skipped keys of the JWKS", metadata: ["skipped": "\(keys.skipped)"])
        }
        return keys
    }
}
