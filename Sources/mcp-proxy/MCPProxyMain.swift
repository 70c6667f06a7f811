import MCPProxyServer

/// Entry point: `MCPProxyCommand` is async, so it must be started from an async `main`.
@main
enum MCPProxyMain {
    static func main() async {
        await MCPProxyCommand.main()
    }
}
