import Foundation
import KubeCore
import MCPAuth
import MCPProxyConfig
import Testing

@Suite struct MessageAndMetadataTests {
    @Test("JSON-RPC bodies are classified", arguments: [
        (#"{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"get_forecast","arguments":{}}}"#, JSONRPCMessage.request(method: "tools/call", id: .int(7), target: "get_forecast")),
        (#"{"jsonrpc":"2.0","id":"a","method":"tools/list"}"#, .request(method: "tools/list", id: .string("a"), target: nil)),
        (#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#, .request(method: "notifications/initialized", id: nil, target: nil)),
        (#"{"jsonrpc":"2.0","id":2,"method":"completion/complete","params":{"ref":{"type":"ref/prompt","name":"runbook"},"argument":{"name":"a","value":"b"}}}"#,
         .request(method: "completion/complete", id: .int(2), target: nil, reference: .prompt("runbook"))),
        (#"{"jsonrpc":"2.0","id":2,"method":"completion/complete","params":{"ref":{"type":"ref/resource","uri":"w://{x}"}}}"#,
         .request(method: "completion/complete", id: .int(2), target: nil, reference: .resource("w://{x}"))),
        (#"{"jsonrpc":"2.0","id":2,"method":"completion/complete","params":{"ref":{"type":"ref/tool","name":"x"}}}"#,
         .invalid("completion/complete needs params.ref naming a prompt or resource")),
        (#"{"jsonrpc":"2.0","id":2,"method":"completion/complete","params":{"ref":{"type":"ref/prompt","name":"a","Name":"b"}}}"#,
         .invalid("the member \"params.ref.Name\" differs from a JSON-RPC member only in case")),
        (#"{"jsonrpc":"2.0","id":3,"result":{}}"#, .response(id: .int(3))),
        (#"[{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x"}}]"#, .batch),
        (#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{}}"#, .invalid("tools/call needs params.name")),
        (#"{"jsonrpc":"2.0","id":1,"method":5}"#, .invalid("\"method\" is not a string")),
        (#"{"jsonrpc":"2.0","id":1}"#, .invalid("neither a request nor a response")),
        ("\"hello\"", .invalid("a JSON-RPC message is an object")),
        ("{not json", .invalid("the body is not JSON (at byte 1)")),
    ])
    func inspect(body: String, expected: JSONRPCMessage) {
        #expect(JSONRPCMessage.inspect(Data(body.utf8)) == expected)
    }

    @Test("error bodies echo the request id and carry the reason")
    func errorBody() throws {
        let body = JSONRPCErrorBody.make(id: .int(7), code: -32001, message: "denied by policy", data: ["reason": .string("tool_denied")])
        #expect(String(decoding: body, as: UTF8.self) == #"{"error":{"code":-32001,"data":{"reason":"tool_denied"},"message":"denied by policy"},"id":7,"jsonrpc":"2.0"}"#)
        #expect(String(decoding: JSONRPCErrorBody.make(id: nil, code: -32600, message: "batch"), as: UTF8.self).contains(#""id":null"#))
    }

    static func config(scopes: [String], oauth: Bool = true, name: String = "Weather") -> ProxyConfig {
        ProxyConfig(
            server: .init(name: "weather", namespace: "team-a", teamID: nil), unusable: nil,
            resource: .init(uri: "https://mcp.example.com/team-a/mcp", path: "/team-a/mcp", metadataPath: "/.well-known/oauth-protected-resource/team-a/mcp", metadataURL: nil, name: name),
            auth: .init(mode: oauth ? .oauth : .none, tokenHeader: "Authorization", identityHeaders: .init(human: "h", agent: "a", team: "t", session: "s"), allowedOrigins: [],
                        oauth: oauth ? .init(issuer: "https://auth.example.com/realms/mcp", audience: "https://mcp.example.com/team-a/mcp", jwksURI: nil, requiredScopes: scopes, scopesSupported: scopes, allowedAlgorithms: [.rs256], clockSkewSeconds: 60, teamClaims: [], introspection: nil) : nil),
            upstream: .init(url: "http://u/mcp", auth: .init(mode: .none)), limits: .init(maxBodyBytes: 1024),
            policy: .init(mode: .allowList, defaultDecision: .deny, version: "v1"),
            session: .init(required: false, headerName: "s", maxLifetimeSeconds: 1, idleTimeoutSeconds: 1, upstreamTokenHeader: "Authorization"),
            tools: [], grants: [], sessions: []
        )
    }

    @Test("Protected Resource Metadata: the canonical URI exactly, the issuer, no empty fields")
    func metadata() throws {
        let document = try #require(ProtectedResourceMetadata.document(for: Self.config(scopes: ["mcp:tools"])))
        let value = try JSONDecoder().decode(JSONValue.self, from: document)
        #expect(value == .object([
            "resource": .string("https://mcp.example.com/team-a/mcp"),
            "authorization_servers": .array([.string("https://auth.example.com/realms/mcp")]),
            "scopes_supported": .array([.string("mcp:tools")]),
            "resource_name": .string("Weather"),
            "bearer_methods_supported": .array([.string("header")]),
        ]))
        let bare = try JSONDecoder().decode(JSONValue.self, from: try #require(ProtectedResourceMetadata.document(for: Self.config(scopes: [], name: ""))))
        #expect(bare["scopes_supported"] == nil && bare["resource_name"] == nil)
        #expect(ProtectedResourceMetadata.document(for: Self.config(scopes: [], oauth: false)) == nil)
    }

    @Test("Origin: absent passes, allowed passes in any case or default port, others are refused", arguments: [
        (nil, true), ("https://chat.example.com", true), ("HTTPS://Chat.Example.com:443", true),
        ("https://evil.example.com", false), ("null", false), ("http://chat.example.com", false), ("https://chat.example.com:8443", false),
    ] as [(String?, Bool)])
    func origin(origin: String?, allowed: Bool) {
        #expect(OriginPolicy(allowedOrigins: ["https://chat.example.com"]).allows(origin) == allowed)
    }
}
