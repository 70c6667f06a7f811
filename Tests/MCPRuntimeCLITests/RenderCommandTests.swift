import Foundation
import KubeCore
import MCPProxyConfig
import MCPRuntimeCLI
import Testing

@Suite struct RenderCommandTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let samples = root.appendingPathComponent("manifests/samples").path

    private func temporaryFile(_ text: String, name: String = "manifest.yaml") throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mcp-runtime-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let file = directory.appendingPathComponent(name)
        try text.write(to: file, atomically: true, encoding: .utf8)
        return file.path
    }

    @Test("render -f manifests/samples/ prints every object, each a YAML document")
    func samples() throws {
        let outcome = RenderRun(paths: [Self.samples]).execute()
        #expect(outcome.exitCode == 0, "\(outcome.stderr)")
        #expect(outcome.stderr.isEmpty)
        let documents = outcome.stdout.components(separatedBy: "---\n").filter { !$0.isEmpty }
        #expect(documents.count == 31, "10 objects for each of the 3 sample servers, and the header-mode proxy's NetworkPolicy")
        #expect(outcome.stdout.contains("# MCPServer mcp-servers/tickets -> NetworkPolicy/tickets-proxy"))
        #expect(outcome.stdout.contains("# MCPServer team-a/weather -> Ingress/weather"))
        #expect(outcome.stdout.contains("kind: NetworkPolicy"))
    }

    @Test("--proxy-config prints that server's config JSON, by name or namespace/name", arguments: ["weather", "team-a/weather"])
    func proxyConfig(name: String) throws {
        let outcome = RenderRun(paths: [Self.samples], proxyConfig: name).execute()
        #expect(outcome.exitCode == 0, "\(outcome.stderr)")
        let config = try JSONDecoder().decode(ProxyConfig.self, from: Data(outcome.stdout.utf8))
        #expect(config.resource.uri == "https://mcp.example.com/team-a/mcp")
        #expect(config.grants.count == 2)
        #expect(config.sessions.count == 1)
    }

    @Test("--proxy-config with an unknown name fails and lists the known servers")
    func unknownProxyConfig() {
        let outcome = RenderRun(paths: [Self.samples], proxyConfig: "nope").execute()
        #expect(outcome.exitCode == 1)
        #expect(outcome.stdout.isEmpty)
        #expect(outcome.stderr.contains("no MCPServer \"nope\""))
        #expect(outcome.stderr.contains("team-a/weather"))
    }

    @Test("bad input exits 1 with file, document, line, field path and hint, and prints nothing")
    func badInput() throws {
        let file = try temporaryFile("""
        apiVersion: mcpruntime.org/v1alpha1
        kind: MCPServer
        metadata: {name: weather}
        spec:
          image: acme/weather
          auth:
            mode: oauth
        ---
        apiVersion: mcpruntime.org/v1alpha1
        kind: MCPAccessGrant
        metadata: {name: g}
        spec:
          serverRef: {name: missing}
          subject: {humanID: alice}
        """)
        let outcome = RenderRun(paths: [file]).execute()
        #expect(outcome.exitCode == 1)
        #expect(outcome.stdout.isEmpty)
        #expect(outcome.stderr.contains("\(file): document 1, line 7 (MCPServer default/weather): spec.auth.issuerURL: oauth mode needs the authorization server's issuer"))
        #expect(outcome.stderr.contains("  hint: set spec.auth.issuerURL"))
        #expect(outcome.stderr.contains("\(file): document 2, line 13 (MCPAccessGrant default/g): spec.serverRef.name: MCPServer default/missing is not among the manifests"))
        #expect(outcome.stderr.hasSuffix("error: 3 problems found; nothing rendered\n"))
    }

    @Test("warnings go to stderr and do not fail the render")
    func warnings() throws {
        let file = try temporaryFile("apiVersion: mcpruntime.org/v1alpha1\nkind: MCPServer\nmetadata: {name: w}\nspec:\n  image: a/b:1\n  imageTag: \"2\"\n")
        let outcome = RenderRun(paths: [file]).execute()
        #expect(outcome.exitCode == 0)
        #expect(outcome.stderr.hasPrefix("warning: "))
        #expect(outcome.stdout.contains("image: a/b:1\n"))
    }

    @Test("missing files, empty input and stdin", arguments: [
        (["/nonexistent/x.yaml"], "no such file or directory"),
        ([], "no input"),
    ] as [([String], String)])
    func inputs(paths: [String], message: String) {
        let outcome = RenderRun(paths: paths).execute()
        #expect(outcome.exitCode == 1)
        #expect(outcome.stderr.contains(message))
    }

    @Test("- reads standard input")
    func standardInput() {
        let outcome = RenderRun(paths: ["-"]).execute { "apiVersion: mcpruntime.org/v1alpha1\nkind: MCPServer\nmetadata: {name: w}\nspec: {image: a/b}\n" }
        #expect(outcome.exitCode == 0, "\(outcome.stderr)")
        #expect(outcome.stdout.contains("name: w-proxy"))
    }

    @Test("a directory without servers says so")
    func noServers() throws {
        let file = try temporaryFile("apiVersion: mcpruntime.org/v1alpha1\nkind: MCPAgentSession\nmetadata: {name: s}\nspec: {serverRef: {name: w}, subject: {humanID: a}}\n")
        let outcome = RenderRun(paths: [file]).execute()
        #expect(outcome.exitCode == 1)
        #expect(outcome.stderr.contains("not among the manifests"))
    }
}
