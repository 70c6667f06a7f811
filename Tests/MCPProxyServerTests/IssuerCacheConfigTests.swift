import Foundation
import MCPProxyConfig
@testable import MCPProxyServer
import Testing

/// `auth.oauth.issuerCache` and `auth.oauth.requireAccessTokenType` in config.json:
/// optional, defaulted member by member, and refused when unusable.
@Suite struct IssuerCacheConfigTests {
    func config(_ edit: (inout [String: Any]) -> Void) throws -> Data {
        let text = IssuerClientTests.config(issuer: "http://127.0.0.1:1", upstreamPort: 1, secrets: URL(fileURLWithPath: "/tmp"))
        var object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        var auth = try #require(object["auth"] as? [String: Any])
        var oauth = try #require(auth["oauth"] as? [String: Any])
        edit(&oauth)
        auth["oauth"] = oauth
        object["auth"] = auth
        return try JSONSerialization.data(withJSONObject: object)
    }

    @Test("absent: the defaults (300 s refresh, 24 h maximum staleness, 10 s between fetches, 2 s wait) and no typ requirement")
    func defaults() throws {
        let loaded = try ProxyConfigLoader.decode(try config { _ in }, source: "test")
        let oauth = try #require(loaded.auth.oauth)
        #expect(oauth.issuerCache == nil && oauth.requireAccessTokenType == nil)
        #expect(oauth.cache == ProxyConfig.IssuerCache(refreshSeconds: 300, maxStalenessSeconds: 86_400, minFetchIntervalSeconds: 10, fetchWaitMilliseconds: 2_000))
        let policy = RevalidatingCache<Int>.Policy(oauth.cache)
        #expect(policy == .init(refreshAfter: .seconds(300), maxStaleness: .seconds(86_400), minFetchInterval: .seconds(10), fetchWait: .seconds(2)))
    }

    @Test("members given are used, the others defaulted")
    func partial() throws {
        let loaded = try ProxyConfigLoader.decode(try config {
            $0["issuerCache"] = ["refreshSeconds": 1, "fetchWaitMilliseconds": 250]
            $0["requireAccessTokenType"] = true
        }, source: "test")
        let oauth = try #require(loaded.auth.oauth)
        #expect(oauth.cache == ProxyConfig.IssuerCache(refreshSeconds: 1, maxStalenessSeconds: 86_400, minFetchIntervalSeconds: 10, fetchWaitMilliseconds: 250))
        #expect(oauth.requireAccessTokenType == true)
    }

    @Test("unusable settings refuse the config", arguments: [
        (["refreshSeconds": 0], "refreshSeconds must be at least 1"),
        (["refreshSeconds": 600, "maxStalenessSeconds": 300], "maxStalenessSeconds must be at least refreshSeconds"),
        (["minFetchIntervalSeconds": 0], "minFetchIntervalSeconds must be at least 1"),
        (["fetchWaitMilliseconds": -1], "fetchWaitMilliseconds must be between 0 and 30000"),
        (["fetchWaitMilliseconds": 60_000], "fetchWaitMilliseconds must be between 0 and 30000"),
    ] as [([String: Int], String)])
    func refused(settings: [String: Int], problem: String) throws {
        let data = try config { $0["issuerCache"] = settings }
        #expect(throws: ConfigLoadError.self) { try ProxyConfigLoader.decode(data, source: "test") }
        do {
            _ = try ProxyConfigLoader.decode(data, source: "test")
        } catch {
            #expect(error.description == "test: auth.oauth.issuerCache: \(problem)")
        }
    }
}
