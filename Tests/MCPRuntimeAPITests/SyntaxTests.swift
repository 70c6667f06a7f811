import Foundation
import MCPRuntimeAPI
import Testing

@Suite struct SyntaxTests {
    @Test("Go durations", arguments: [("24h", 86400.0), ("1h30m", 5400), ("90s", 90), ("1.5h", 5400), ("250ms", 0.25), ("0", 0)])
    func durations(text: String, seconds: Double) {
        #expect(Syntax.parseDuration(text) == seconds)
    }

    @Test("not durations", arguments: ["", "24", "h", "1d", "-1h", "1h 30m"])
    func notDurations(text: String) {
        #expect(Syntax.parseDuration(text) == nil)
    }

    @Test("quantities", arguments: ["500m", "1", "0.5", "256Mi", "1Gi", "1e3", "2E-2", "100k", "+1"])
    func quantities(text: String) {
        #expect(Syntax.isQuantity(text))
    }

    @Test("not quantities", arguments: ["", "two", "1.2.3", "5MB", "1e", ".", "Mi"])
    func notQuantities(text: String) {
        #expect(!Syntax.isQuantity(text))
    }

    @Test("label keys, label values and namespace names as Kubernetes checks them")
    func labels() {
        for key in ["team", "kubernetes.io/metadata.name", "a.b-c_d", "example.com/x", "A1"] { #expect(Syntax.isLabelKey(key), "\(key)") }
        for key in ["", "-team", "team-", "/x", "Example.com/x", "a/b/c", String(repeating: "a", count: 64)] { #expect(!Syntax.isLabelKey(key), "\(key)") }
        for value in ["", "prod", "v1.2_3-x"] { #expect(Syntax.isLabelValue(value), "\(value)") }
        for value in ["a b", "-x", "x.", String(repeating: "a", count: 64)] { #expect(!Syntax.isLabelValue(value), "\(value)") }
        for name in ["team-b", "0team"] { #expect(Syntax.isDNS1123Label(name), "\(name)") }
        for name in ["", "Team", "team.b", "team_b", "-team", String(repeating: "a", count: 64)] { #expect(!Syntax.isDNS1123Label(name), "\(name)") }
    }

    @Test("timestamps round-trip in UTC")
    func timestamps() throws {
        let date = try #require(Syntax.parseTimestamp("2026-12-31T23:59:59+01:00"))
        #expect(Syntax.formatTimestamp(date) == "2026-12-31T22:59:59Z")
        #expect(Syntax.parseTimestamp("2026-12-31T23:59:59.250Z") != nil)
        #expect(Syntax.parseTimestamp("2026-12-31") == nil)
    }

    @Test("names and tokens")
    func names() {
        #expect(Syntax.isDNS1035Label("weather-2"))
        #expect(!Syntax.isDNS1035Label("2weather"))
        #expect(!Syntax.isDNS1035Label("weather-"))
        #expect(Syntax.isDNS1123Subdomain("mcp.example.com"))
        #expect(!Syntax.isDNS1123Subdomain("mcp..example.com"))
        #expect(Syntax.isHTTPToken("X-MCP-Human-ID"))
        #expect(!Syntax.isHTTPToken("X MCP"))
        #expect(Syntax.isScopeToken("mcp:tools"))
        #expect(!Syntax.isScopeToken("a b"))
        #expect(Syntax.imageHasTagOrDigest("localhost:5000/a:1"))
        #expect(!Syntax.imageHasTagOrDigest("localhost:5000/a"))
    }
}
