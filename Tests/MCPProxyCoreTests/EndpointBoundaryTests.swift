import Foundation
import KubeCore
import MCPAuth
import MCPProxyConfig
import MCPProxyCore
import MCPTestSupport
import Testing

/// What reaches the upstream is exactly what the proxy decided on: a closed set of
/// methods, a body only where the framing carries it, one reading of the message, and no
/// header a server could fold into a protected name.
@Suite struct EndpointBoundaryTests {
    typealias F = PipelineFixture

    private func handle(_ request: InboundRequest, config: ProxyConfig = F.config(mode: .header)) async -> PipelineResult {
        await F.runtime(config).handle(request, now: TestIssuer.now)
    }

    static let alice = (name: "X-MCP-Human-ID", value: "alice")

    @Test("methods the endpoint does not answer: 405 with Allow, never forwarded, before authentication",
          arguments: ["TRACE", "PUT", "PATCH", "HEAD", "CONNECT", "PROPFIND", "get", "post", "Delete"])
    func closedMethods(method: String) async throws {
        var request = F.post(F.call("get_forecast"), headers: [Self.alice])
        request.method = method
        let result = await handle(request)
        let response = try #require(result.response)
        #expect(response.status == 405)
        #expect(response.header("Allow") == "GET, POST, DELETE, OPTIONS")
        #expect(result.audit?.reason == "method_not_allowed")
        // No token needed to learn that: oauth mode refuses the same way.
        #expect(await handle(request, config: F.config()).response?.status == 405)
    }

    @Test("a body on GET, DELETE or OPTIONS is refused (400), however it is framed", arguments: [
        ("GET", [(name: "Content-Length", value: "42")]),
        ("DELETE", [(name: "Content-Length", value: "7")]),
        ("DELETE", [(name: "Transfer-Encoding", value: "chunked")]),
        ("GET", [(name: "Transfer-Encoding", value: "gzip, chunked")]),
        ("OPTIONS", [(name: "Content-Length", value: "3")]),
    ] as [(String, [(name: String, value: String)])])
    func bodiesWhereNoneIsCarried(method: String, framing: [(name: String, value: String)]) async throws {
        let result = await handle(InboundRequest(method: method, path: "/team-a/mcp", headers: [Self.alice, (name: "Mcp-Session-Id", value: "s")] + framing))
        #expect(result.response?.status == 400)
        #expect(result.audit?.reason == "body_not_allowed")
    }

    @Test("GET and DELETE without a body, and an empty Content-Length, still pass")
    func bodilessPass() async throws {
        for method in ["GET", "DELETE"] {
            let result = await handle(InboundRequest(method: method, path: "/team-a/mcp", headers: [Self.alice, (name: "Content-Length", value: "0")]))
            #expect(result.forward != nil, "\(method)")
        }
    }

    @Test("the decisions before the body need none: unusable, path, method, Origin, preflight")
    func beforeBody() async throws {
        let runtime = F.runtime(F.config(mode: .header))
        #expect(runtime.decisionBeforeBody(InboundRequest(method: "POST", path: "/other"))?.response?.status == 404)
        #expect(runtime.decisionBeforeBody(InboundRequest(method: "TRACE", path: "/team-a/mcp"))?.response?.status == 405)
        #expect(runtime.decisionBeforeBody(InboundRequest(method: "POST", path: "/team-a/mcp", headers: [(name: "Origin", value: "https://evil.example")]))?.response?.status == 403)
        #expect(runtime.decisionBeforeBody(InboundRequest(method: "OPTIONS", path: "/team-a/mcp"))?.response?.status == 204)
        #expect(runtime.decisionBeforeBody(InboundRequest(method: "POST", path: "/team-a/mcp")) == nil, "a POST to the endpoint goes on to have its body read")
    }

    @Test("duplicate members: 400 with a JSON-RPC error, in header mode with no identity at all too", arguments: [
        #"{"jsonrpc":"2.0","id":1,"method":"tools/list","method":"tools/call","params":{"name":"delete_alerts"}}"#,
        #"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"get_forecast","name":"delete_alerts"}}"#,
        #"{"jsonrpc":"2.0","id":1,"Method":"tools/call","result":{},"params":{"name":"delete_alerts"}}"#,
    ])
    func oneViewOfAMessage(body: String) async throws {
        for headers in [[Self.alice], []] {
            let result = await handle(F.post(Data(body.utf8), headers: headers))
            let response = try #require(result.response)
            #expect(response.status == 400)
            #expect(result.audit?.reason == "invalid_message")
            let error = try JSONDecoder().decode(JSONValue.self, from: response.body)
            #expect(error["error"]?["code"] == .int(-32600))
        }
    }

    @Test("protected header names are matched without case and with _ read as -; names with _ never go upstream", arguments: [
        "X_MCP_Human_ID", "x_mcp_human_id", "X_Forwarded_User", "X-Forwarded-User", "x-forwarded-email",
        "X-Auth-Request-User", "Remote-User", "X_Custom_Thing", "Authori_zation", "Cookie", "Proxy-Authorization",
        "X-WEBAUTH-USER", "X-Goog-Authenticated-User-Email", "Cf-Access-Authenticated-User-Email", "X-Amzn-Oidc-Identity",
        "X-Ms-Client-Principal-Name", "X-Forwarded-Client-Cert", "X-Original-URL", "X-HTTP-Method-Override",
    ])
    func protectedHeaders(name: String) async throws {
        let plan = try #require(await handle(F.post(F.call("get_forecast"), headers: [Self.alice, (name: name, value: "admin")])).forward)
        #expect(!plan.headers.contains { $0.value == "admin" }, "\(name) reached the upstream")
        #expect(plan.values("X-MCP-Human-ID") == ["alice"])
    }

    @Test("fields the client's Connection lists are dropped in any case and spelling")
    func connectionListed() async throws {
        let plan = try #require(await handle(F.post(F.call("get_forecast"), headers: [
            Self.alice, (name: "Connection", value: "X-Trace-Me ,  x_other"), (name: "x-trace-me", value: "1"), (name: "X-Other", value: "2"), (name: "X-Kept", value: "3"),
        ])).forward)
        #expect(plan.values("X-Trace-Me").isEmpty && plan.values("X-Other").isEmpty)
        #expect(plan.values("X-Kept") == ["3"])
    }

    @Test("a POST is application/json in UTF-8 without a content coding: any other charset or coding is 415, never forwarded", arguments: [
        [(name: "Content-Type", value: "application/json; charset=utf-7")],
        [(name: "Content-Type", value: "application/json; charset=UTF-16")],
        [(name: "Content-Type", value: "application/json;charset=utf-7-imap")],
        [(name: "Content-Type", value: "text/plain")],
        [(name: "Content-Type", value: "application/json"), (name: "Content-Type", value: "application/json; charset=utf-7")],
        [(name: "Content-Type", value: "application/json; charset=utf-8; charset=utf-7")],
        [(name: "Content-Type", value: "application/json"), (name: "Content-Encoding", value: "gzip")],
        [(name: "Content-Type", value: "application/json; boundary=x")],
        [],
    ] as [[(name: String, value: String)]])
    func mediaType(headers: [(name: String, value: String)]) async throws {
        let request = InboundRequest(method: "POST", path: "/team-a/mcp", headers: [Self.alice] + headers, body: F.call("get_forecast"))
        let result = await handle(request)
        #expect(result.response?.status == 415)
        #expect(result.audit?.reason == "unsupported_media_type")
    }

    @Test("UTF-8 JSON in its spellings passes", arguments: ["application/json", "Application/JSON; charset=UTF-8", #"application/json; charset="utf-8""#, "application/json ; charset=utf-8"])
    func utf8JSON(contentType: String) async throws {
        let request = InboundRequest(method: "POST", path: "/team-a/mcp", headers: [Self.alice, (name: "Content-Type", value: contentType)], body: F.call("get_forecast"))
        #expect(await handle(request).forward != nil)
    }

    @Test("an identity or session header given twice is refused, whichever comes first", arguments: ["X-MCP-Human-ID", "X-MCP-Agent-ID", "X-MCP-Agent-Session"])
    func repeatedIdentity(name: String) async throws {
        let repeated = [(name: name, value: "alice"), (name: name.lowercased(), value: "mallory")]
        let result = await handle(F.post(F.call("get_forecast"), headers: name == Self.alice.name ? repeated : [Self.alice] + repeated))
        #expect(result.response?.status == 400)
        #expect(result.audit?.reason == "ambiguous_identity")
    }

    @Test("identities are compared byte for byte: a Kelvin sign is no K")
    func unicodeEquivalents() async throws {
        let config = F.config(mode: .header) { $0.grants[0].subject.humanID = "Kim" }
        #expect(await handle(F.post(F.call("get_forecast"), headers: [(name: "X-MCP-Human-ID", value: "\u{212A}im")]), config: config).audit?.reason == "no_matching_grant")
        #expect(await handle(F.post(F.call("get_forecast"), headers: [(name: "X-MCP-Human-ID", value: "Kim")]), config: config).forward != nil)
    }
}
