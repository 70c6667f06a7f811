import AsyncHTTPClient
import Foundation
import KubeCore
import Logging
import MCPAuth
import MCPProxyConfig
import MCPProxyCore
import MCPRuntimeAPI
import MCPTokenVerification
import NIOCore

/// Fetches the issuer's JWKS — from `jwksURI`, or from `jwks_uri` in the issuer's
/// metadata found in the spec's discovery order with its `issuer` checked — and caches it.
/// A refresh (for an unknown `kid`) is single-flight and at most one per `refreshInterval`;
/// keys also expire after `maxAge`. When a fetch fails the last good keys stay in use; with
/// none, verification fails with 503.
actor JWKSKeySource: KeySource {
    private let client: HTTPClient
    private let issuer: String
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

    init(client: HTTPClient, oauth: ProxyConfig.OAuthSettings, logger: Logger, metrics: ProxyMetrics, refreshInterval: TimeInterval = 10, maxAge: TimeInterval = 300) {
        self.metrics = metrics
        self.client = client
        issuer = oauth.issuer
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
            logger.error("cannot load the issuer's keys", metadata: ["issuer": "\(issuer)", "error": "\(error)"])
            if let cached { return cached.keys }
            throw error
        }
    }

    private func fetch() async throws -> VerificationKeys {
        let location = try await jwksLocation()
        let body = try await get(location)
        let keys = try VerificationKeys(jwks: body, allowed: algorithms)
        if !keys.skipped.isEmpty {
            logger.info("skipped keys of the JWKS", metadata: ["skipped": "\(keys.skipped)"])
        }
        return keys
    }

    /// `jwksURI`, else the metadata's `jwks_uri`, trying candidates in the spec's order.
    private func jwksLocation() async throws -> String {
        if let jwksURI { return jwksURI }
        var problems: [String] = []
        for candidate in AuthorizationServerDiscovery.metadataCandidates(issuer: issuer) {
            do {
                let metadata = try JSONDecoder().decode(JSONValue.self, from: try await get(candidate))
                guard metadata["issuer"]?.stringValue == issuer else {
                    problems.append("\(candidate): issuer does not match")
                    continue
                }
                guard let location = metadata["jwks_uri"]?.stringValue else {
                    problems.append("\(candidate): no jwks_uri")
                    continue
                }
                return location
            } catch {
                problems.append("\(candidate): \(error)")
            }
        }
        throw KeySourceError(description: "no usable authorization server metadata for \(issuer): \(problems.joined(separator: "; "))")
    }

    private func get(_ url: String) async throws -> Data {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Accept", value: "application/json")
        let response = try await client.execute(request, timeout: .seconds(10))
        guard response.status == .ok else { throw KeySourceError(description: "\(url): HTTP \(response.status.code)") }
        let buffer = try await response.body.collect(upTo: 1 << 20)
        return Data(buffer.readableBytesView)
    }
}

struct KeySourceError: Error, CustomStringConvertible {
    var description: String
}
