import AsyncHTTPClient
import Foundation
import KubeCore
import Logging
import MCPProxyConfig
import Testing

@testable import MCPProxyServer

/// The revision in force is computed from the config's content: an edited config that
/// keeps the old `revision` field (an emergency edit disabling a grant) still applies.
@Suite struct ConfigRevisionTests {
    static func edited(grantDisabled: Bool, claimedRevision: String) throws -> Data {
        var config = try JSONDecoder().decode(ProxyConfig.self, from: Data(ProxyServerTests.config(upstreamPort: 8080, grantDisabled: grantDisabled).utf8))
        config.revision = claimedRevision
        return try KubeJSON.encode(config)
    }

    @Test("the loader replaces the document's revision with the content's")
    func computed() throws {
        let claimed = "sha256:" + String(repeating: "0", count: 64)
        let loaded = try ProxyConfigLoader.decode(try Self.edited(grantDisabled: false, claimedRevision: claimed), source: "test")
        #expect(loaded.revision == loaded.contentRevision)
        #expect(loaded.revision != claimed)
        let disabled = try ProxyConfigLoader.decode(try Self.edited(grantDisabled: true, claimedRevision: claimed), source: "test")
        #expect(disabled.revision != loaded.revision, "different content, different revision, whatever the field says")
    }

    @Test("a reload with the same claimed revision but other content is installed; the same content is not reinstalled")
    func reloadEditedConfig() async throws {
        let claimed = "sha256:kept-by-hand"
        let first = try ProxyConfigLoader.decode(try Self.edited(grantDisabled: false, claimedRevision: claimed), source: "test")
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        let metrics = ProxyMetrics()
        let state = ProxyState(config: first, client: client, secrets: MountedSecretFiles(), upstreamOverride: nil, logger: Logger(label: "test"), metrics: metrics)
        state.reload(from: "test") { () throws(ConfigLoadError) in try ProxyConfigLoader.decode(try! Self.edited(grantDisabled: true, claimedRevision: claimed), source: "test") }
        #expect(state.runtime.config.grants.first?.disabled == true, "the emergency edit is in force")
        let installed = state.runtime.config.revision
        state.reload(from: "test") { () throws(ConfigLoadError) in try ProxyConfigLoader.decode(try! Self.edited(grantDisabled: true, claimedRevision: "sha256:other"), source: "test") }
        #expect(state.runtime.config.revision == installed)
        #expect(metrics.text().contains(#"mcp_proxy_config_reloads_total{outcome="success"} 1"#), "the same content is not installed twice")
        try await client.shutdown()
    }
}
