import AsyncHTTPClient
import Foundation
import Logging
import MCPProxyConfig
import MCPRuntimeAPI
import Testing

@testable import MCPProxyServer

/// Every reload hands the replica's rate limit buckets and session activity on, also one
/// that changes the issuer settings (and so starts new issuer caches).
@Suite struct RateLimitReloadTests {
    @Test("the buckets and the session activity survive a plain reload and one that changes the issuer")
    func kept() async throws {
        let header = try JSONDecoder().decode(ProxyConfig.self, from: Data(ProxyServerTests.config(upstreamPort: 8080).utf8))
        var limited = header
        limited.rateLimits = .init(perHuman: .init(requests: 1, intervalSeconds: 60, burst: 1))
        var oauth = limited
        oauth.auth.mode = .oauth
        oauth.resource.uri = "https://mcp.example.com/team-a/mcp"
        oauth.resource.metadataURL = "https://mcp.example.com/.well-known/oauth-protected-resource/team-a/mcp"
        oauth.auth.oauth = .init(issuer: "https://issuer.invalid", audience: "https://mcp.example.com/team-a/mcp", jwksURI: "https://issuer.invalid/jwks",
                                 requiredScopes: [], scopesSupported: [], allowedAlgorithms: [.rs256], clockSkewSeconds: 60, teamClaims: [], introspection: nil)

        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        let state = ProxyState(config: header, client: client, secrets: MountedSecretFiles(), upstreamOverride: nil, logger: Logger(label: "test"), metrics: ProxyMetrics())
        let limiter = state.runtime.rateLimiter, activity = state.runtime.activity
        for next in [limited, oauth, header] {
            state.install(next)
            #expect(state.runtime.rateLimiter === limiter && state.runtime.activity === activity, "\(next.auth.mode)")
        }
        try await client.shutdown()
    }
}
