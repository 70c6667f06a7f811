import MCPRuntimeAPI
import Testing

@Suite struct ResourceURITests {
    @Test("normalizes to the canonical form", arguments: [
        ("https://mcp.example.com/team-a/mcp", "https://mcp.example.com/team-a/mcp"),
        ("HTTPS://MCP.Example.COM/team-a/mcp", "https://mcp.example.com/team-a/mcp"),
        ("https://mcp.example.com/team-a/mcp/", "https://mcp.example.com/team-a/mcp"),
        ("https://mcp.example.com:443/team-a/mcp", "https://mcp.example.com/team-a/mcp"),
        ("https://mcp.example.com:8443/team-a/mcp", "https://mcp.example.com:8443/team-a/mcp"),
        ("https://mcp.example.com", "https://mcp.example.com"),
        ("https://mcp.example.com/", "https://mcp.example.com"),
        ("https://[::1]:8443/mcp", "https://[::1]:8443/mcp"),
        ("https://[2001:DB8::1]/mcp", "https://[2001:db8::1]/mcp"),
        ("http://localhost:8080/mcp", "http://localhost:8080/mcp"),
        ("http://127.0.0.1/mcp", "http://127.0.0.1/mcp"),
        ("http://[::1]:80/mcp", "http://[::1]/mcp"),
        ("https://mcp.example.com/Team-A/MCP", "https://mcp.example.com/Team-A/MCP"),
        ("https://mcp.example.com/a%20b/mcp", "https://mcp.example.com/a%20b/mcp"),
    ])
    func normalizes(input: String, canonical: String) throws {
        #expect(try ResourceURI.parse(input).description == canonical)
    }

    @Test("rejects what cannot be a canonical resource URI", arguments: [
        ("https://mcp.example.com/mcp?tenant=a", ResourceURIError.hasQuery),
        ("https://mcp.example.com/mcp?", .hasQuery),
        ("https://mcp.example.com/mcp#frag", .hasFragment),
        ("https://mcp.example.com/mcp#", .hasFragment),
        ("http://mcp.example.com/mcp", .insecureScheme(host: "mcp.example.com")),
        ("http://10.0.0.1/mcp", .insecureScheme(host: "10.0.0.1")),
        ("ftp://mcp.example.com/mcp", .unsupportedScheme("ftp")),
        ("https://user:pw@mcp.example.com/mcp", .hasUserInfo),
        ("mcp.example.com/mcp", .notAbsolute("mcp.example.com/mcp")),
        ("https://mcp.example.com:99999/mcp", .invalidPort("99999")),
        ("https://mcp.example.com//mcp", .invalidPath("//mcp")),
        ("https://mcp.example.com/a/../mcp", .invalidPath("/a/../mcp")),
        ("https://mcp_example.com/mcp", .invalidHost("mcp_example.com")),
        ("https://-bad.example.com/mcp", .invalidHost("-bad.example.com")),
        ("https://mcp.example.com/a b", .malformed("https://mcp.example.com/a b")),
    ])
    func rejects(input: String, expected: ResourceURIError) {
        #expect(throws: expected) { try ResourceURI.parse(input) }
    }

    @Test("derives the well-known metadata location by path insertion (RFC 9728 §3.1)")
    func metadataLocation() throws {
        let uri = try ResourceURI.parse("https://mcp.example.com/team-a/mcp")
        #expect(uri.metadataPath == "/.well-known/oauth-protected-resource/team-a/mcp")
        #expect(uri.metadataURL == "https://mcp.example.com/.well-known/oauth-protected-resource/team-a/mcp")
        #expect(uri.requestPath == "/team-a/mcp")
        let root = try ResourceURI.parse("https://mcp.example.com:8443")
        #expect(root.metadataURL == "https://mcp.example.com:8443/.well-known/oauth-protected-resource")
        #expect(root.requestPath == "/")
    }

    @Test("loopback hosts")
    func loopback() throws {
        #expect(try ResourceURI.parse("http://localhost/mcp").isLoopback)
        #expect(try ResourceURI.parse("http://127.9.9.9/mcp").isLoopback)
        #expect(try !ResourceURI.parse("https://127.example.com/mcp").isLoopback)
    }
}
