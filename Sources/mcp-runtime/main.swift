import MCPRuntimeCLI

MCPRuntimeCommand.main()
