import Foundation
import Logging
import MCPProxyConfig
import MCPProxyCore
import MCPRuntimeAPI
import MCPTokenVerification

/// Fetches the issuer's JWKS — from `jwksURI`, or from `jwks_uri` in the issuer's
/// metadata — and caches it stale-while-revalidate (`RevalidatingCache`, with the
/// config's `auth.oauth.issuerCache`): keys at hand are served at once, refreshed in the
/// background once older than `refreshSeconds`, and kept while the issuer is unreachable
/// until older than `maxStalenessSeconds`; then verification fails closed with 503. A
/// refresh for an unknown `kid` waits at most `fetchWaitMilliseconds`; fetches are
/// single-flight and at most one per `minFetchIntervalSeconds`.
final class JWKSKeySource: KeySource {
    private let cache: RevalidatingCache<VerificationKeys>

    init(http: IssuerHTTP, metadata: AuthorizationServerMetadata, oauth: ProxyConfig.OAuthSettings, logger: Logger, metrics: ProxyMetrics, clock: any IssuerClock = ContinuousIssuerClock()) {
        let jwksURI = oauth.jwksURI
        let algorithms = oauth.allowedAlgorithms
        cache = RevalidatingCache(policy: .init(oauth.cache), clock: clock) {
            do {
                let location: String
                if let jwksURI { location = jwksURI } else { location = try await metadata.endpoint("jwks_uri") }
                let keys = try VerificationKeys(jwks: try await http.get(location), allowed: algorithms)
                if !keys.skipped.isEmpty {
                    logger.info("skipped keys of the JWKS", metadata: ["skipped": "\(keys.skipped)"])
                }
                metrics.jwksFetch(succeeded: true)
                return keys
            } catch {
                metrics.jwksFetch(succeeded: false)
                logger.error("cannot load the issuer's keys", metadata: ["issuer": "\(metadata.issuer)", "error": "\(error)"])
                throw error
            }
        }
    }

    func keys(refresh: Bool) async throws -> VerificationKeys {
        try await cache.value(refresh: refresh)
    }

    func availability() async -> KeyAvailability {
        let status = await cache.status()
        let policy = cache.policy
        guard let age = status.age else {
            return KeyAvailability(usable: false, detail: "the issuer's keys are not loaded yet" + Self.reason(status))
        }
        guard status.usable else {
            return KeyAvailability(usable: false, detail: "the issuer's keys are \(age.components.seconds) s old, beyond the maximum staleness of \(policy.maxStaleness.components.seconds) s" + Self.reason(status))
        }
        return KeyAvailability(usable: true, detail: "keys \(age.components.seconds) s old")
    }

    private static func reason(_ status: RevalidatingCache<VerificationKeys>.Status) -> String {
        status.lastError.map { " (\($0))" } ?? (status.fetching ? " (fetching)" : "")
    }
}
