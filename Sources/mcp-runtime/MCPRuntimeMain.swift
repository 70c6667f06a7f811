import MCPRuntimeCLI

/// Entry point: the operator subcommand is async, so the command starts from an async `main`.
@main
enum MCPRuntimeMain {
    static func main() async {
        await MCPRuntimeCommand.main()
    }
}
