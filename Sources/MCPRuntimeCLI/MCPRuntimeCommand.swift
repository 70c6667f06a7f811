import ArgumentParser
import Foundation
import MCPRuntimeAPI
import MCPRuntimeRender

/// `mcp-runtime`: the operator and its tooling.
public struct MCPRuntimeCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "mcp-runtime",
        abstract: "Kubernetes operator and tooling for MCP servers behind an auth-enforcing proxy.",
        version: MCPRuntimeVersion.current,
        subcommands: [RenderCommand.self, OperatorCommand.self]
    )

    public init() {}
}

/// `mcp-runtime render -f FILE_OR_DIR... [--proxy-config NAME]`.
struct RenderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Print the Kubernetes objects the operator would apply for the given manifests.",
        discussion: """
        Reads MCPServer, MCPAccessGrant and MCPAgentSession manifests (multi-document YAML or \
        JSON; directories are read non-recursively) and prints every object the operator would \
        apply, as multi-document YAML. With --proxy-config, prints only that server's proxy \
        configuration JSON. Invalid input exits 1 with each problem's file, document, line, \
        field path and a hint.
        """
    )

    @Option(name: [.customShort("f"), .customLong("filename")], parsing: .upToNextOption,
            help: ArgumentHelp("Manifest files or directories; - reads standard input.", valueName: "FILE_OR_DIR"))
    var filenames: [String] = []

    @Option(name: .customLong("proxy-config"), help: ArgumentHelp("Print only this server's proxy config JSON.", valueName: "NAME|NAMESPACE/NAME"))
    var proxyConfig: String?

    @Option(name: [.customShort("n"), .long], help: "Namespace of manifests that name none.")
    var namespace: String = "default"

    @Option(name: .customLong("proxy-image"), help: "The mcp-proxy image when spec.gateway.image is unset.")
    var proxyImage: String = RenderOptions.defaultProxyImage

    func run() throws {
        let outcome = RenderRun(paths: filenames, proxyConfig: proxyConfig, namespace: namespace, options: RenderOptions(proxyImage: proxyImage)).execute()
        FileHandle.standardOutput.write(Data(outcome.stdout.utf8))
        FileHandle.standardError.write(Data(outcome.stderr.utf8))
        if outcome.exitCode != 0 { throw ExitCode(outcome.exitCode) }
    }
}
