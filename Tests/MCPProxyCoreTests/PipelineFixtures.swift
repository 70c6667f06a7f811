import Foundation
import KubeCore
import MCPProxyConfig
import MCPProxyCore
import MCPTestSupport
import MCPTokenVerification
import Synchronization

/// Keys from the test issuer; counts refreshes; can rotate or fail.
final class FakeKeySource: KeySource {
    private let state: Mutex<(keys: VerificationKeys?, afterRefresh: VerificationKeys?, refreshes: Int)>

    init(keys: VerificationKeys?, afterRefresh: VerificationKeys? = nil) {
        state = Mutex((keys, afterRefresh ?? keys, 0))
    }

    var refreshes: Int { state.withLock { $0.refreshes } }

    func keys(refresh: Bool) async throws -> VerificationKeys {
        try state.withLock { state in
            if refresh {
                state.refreshes += 1
                state.keys = state.afterRefresh
            }
            guard let keys = state.keys else { throw URLError(.cannotConnectToHost) }
            return keys
        }
    }
}

struct FakeSecrets: SecretFiles {
    var files: [String: String]
    func contents(of path: String) -> String? { files[path] }
}

enum PipelineFixture {
    static let metadataURL = "https://mcp.example.com/.well-known/oauth-protected-resource/team-a/mcp"
    static let secretFile = "/var/run/secrets/mcp-runtime/upstream/credential"

    static func config(mode: MCPRuntimeAPI.AuthMode = .oauth, edit: (inout ProxyConfig) -> Void = { _ in }) -> ProxyConfig {
        var config = ProxyConfig(
            server: .init(name: "weather", namespace: "team-a", teamID: nil), unusable: nil,
            resource: .init(uri: TestIssuer.audience, path: "/team-a/mcp",
                            metadataPath: mode == .oauth ? "/.well-known/oauth-protected-resource/team-a/mcp" : nil,
                            metadataURL: mode == .oauth ? metadataURL : nil, name: "Weather"),
            auth: .init(mode: mode, tokenHeader: "Authorization",
                        identityHeaders: .init(human: "X-MCP-Human-ID", agent: "X-MCP-Agent-ID", team: "X-MCP-Team-ID", session: "X-MCP-Agent-Session"),
                        allowedOrigins: ["https://mcp.example.com", "https://chat.example.com"],
                        oauth: mode == .oauth ? .init(issuer: TestIssuer.issuer, audience: TestIssuer.audience, jwksURI: nil, requiredScopes: ["mcp:tools"],
                                                      scopesSupported: ["mcp:tools"], allowedAlgorithms: [.rs256, .es256], clockSkewSeconds: 60,
                                                      teamClaims: ["team_id"], introspection: nil) : nil),
            upstream: .init(url: "http://weather-server.team-a.svc:80/mcp", auth: .init(mode: .secret, header: "Authorization", secretFile: secretFile)),
            limits: .init(maxBodyBytes: 1024),
            policy: .init(mode: .allowList, defaultDecision: .deny, version: "v3"),
            session: .init(required: false, headerName: "X-MCP-Agent-Session", maxLifetimeSeconds: 86400, idleTimeoutSeconds: 3600, upstreamTokenHeader: "Authorization"),
            tools: [
                .init(name: "get_forecast", requiredTrust: .low, sideEffect: .read, requiredScopes: []),
                .init(name: "set_alert", requiredTrust: .medium, sideEffect: .write, requiredScopes: ["weather:write"]),
            ],
            grants: [.init(name: "alice", namespace: "team-a", subject: .init(humanID: "alice", agentID: nil, teamID: nil), maxTrust: .medium,
                           allowedSideEffects: [.read, .write], policyVersion: nil, disabled: false, expiresAt: nil, toolRules: [])],
            sessions: []
        )
        edit(&config)
        return config
    }

    static func runtime(_ config: ProxyConfig, keys: FakeKeySource? = nil) -> ProxyRuntime {
        ProxyRuntime(config: config, keySource: keys ?? FakeKeySource(keys: try? TestIssuer.shared.keys()), secrets: FakeSecrets(files: [secretFile: "s3cret\n"]))
    }

    static func call(_ tool: String, id: Int = 7) -> Data {
        Data(#"{"jsonrpc":"2.0","id":\#(id),"method":"tools/call","params":{"name":"\#(tool)","arguments":{}}}"#.utf8)
    }

    static func post(_ body: Data, headers: [(name: String, value: String)], query: String? = nil) -> InboundRequest {
        InboundRequest(method: "POST", path: "/team-a/mcp", query: query, headers: [(name: "Content-Type", value: "application/json")] + headers, body: body)
    }

    static func bearer(_ token: String) -> (name: String, value: String) {
        (name: "Authorization", value: "Bearer \(token)")
    }
}

extension PipelineResult {
    var response: ProxyResponse? {
        if case .respond(let response) = outcome { return response }
        return nil
    }

    var forward: ForwardPlan? {
        if case .forward(let plan) = outcome { return plan }
        return nil
    }
}

extension ForwardPlan {
    func values(_ name: String) -> [String] {
        headers.filter { $0.name.lowercased() == name.lowercased() }.map(\.value)
    }
}

import MCPRuntimeAPI
