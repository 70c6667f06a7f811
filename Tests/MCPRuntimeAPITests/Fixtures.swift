import KubeCore
import MCPRuntimeAPI

/// Small valid resources that tests change one field at a time.
enum Fixtures {
    static func server(_ configure: (inout MCPServerSpec) -> Void = { _ in }) -> MCPServer {
        var spec = MCPServerSpec(image: "ghcr.io/acme/weather-mcp:1.0.0")
        spec.teamID = "team-a"
        spec.ingressHost = "mcp.example.com"
        spec.publicPathPrefix = "team-a"
        spec.tools = [ToolConfig(name: "get_forecast", sideEffect: "read")]
        configure(&spec)
        return MCPServer(metadata: ObjectMeta(name: "weather", namespace: "team-a"), spec: spec)
    }

    static func oauthServer(_ configure: (inout MCPServerSpec) -> Void = { _ in }) -> MCPServer {
        server { spec in
            spec.auth = AuthConfig(mode: "oauth", issuerURL: "https://auth.example.com/realms/mcp", requiredScopes: ["mcp:tools"])
            configure(&spec)
        }
    }

    static func grant(_ configure: (inout MCPAccessGrantSpec) -> Void = { _ in }) -> MCPAccessGrant {
        var spec = MCPAccessGrantSpec(serverRef: ServerReference(name: "weather"), subject: SubjectRef(humanID: "alice"), maxTrust: "medium", allowedSideEffects: ["read"])
        configure(&spec)
        return MCPAccessGrant(metadata: ObjectMeta(name: "alice", namespace: "team-a"), spec: spec)
    }

    static func session(_ configure: (inout MCPAgentSessionSpec) -> Void = { _ in }) -> MCPAgentSession {
        var spec = MCPAgentSessionSpec(serverRef: ServerReference(name: "weather"), subject: SubjectRef(humanID: "alice", agentID: "planner"), consentedTrust: "low", expiresAt: "2030-01-01T00:00:00Z")
        configure(&spec)
        return MCPAgentSession(metadata: ObjectMeta(name: "alice-planner", namespace: "team-a"), spec: spec)
    }
}

extension Array where Element == ValidationIssue {
    /// The single error at `path`, if there is exactly one.
    func error(at path: String) -> ValidationIssue? {
        let matching = filter { $0.severity == .error && $0.path.description == path }
        return matching.count == 1 ? matching[0] : nil
    }
}
