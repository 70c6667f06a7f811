/// What a caller asks to use, as governance sees it: a tool by name, a resource by URI,
/// a resource template by its URI template, a prompt by name. Names and URIs are
/// compared byte for byte.
public enum GovernedItem: Sendable, Hashable {
    case tool(String)
    case resource(String)
    case resourceTemplate(String)
    case prompt(String)

    /// The tool's or prompt's name, the resource's URI, the template's URI template.
    public var name: String {
        switch self {
        case .tool(let name), .resource(let name), .resourceTemplate(let name), .prompt(let name): name
        }
    }

    /// `tool`, `resource`, `resourceTemplate` or `prompt`: in audit lines and metrics.
    public var kind: String {
        switch self {
        case .tool: "tool"
        case .resource: "resource"
        case .resourceTemplate: "resourceTemplate"
        case .prompt: "prompt"
        }
    }

    /// `kind:name`, as audit lines list removed entries.
    public var label: String { "\(kind):\(name)" }

    /// The URI of a resource or resource template, nil for tools and prompts.
    public var uri: String? {
        switch self {
        case .resource(let uri), .resourceTemplate(let uri): uri
        case .tool, .prompt: nil
        }
    }

    /// The same kind of item with another URI (tools and prompts unchanged).
    public func with(uri: String) -> GovernedItem {
        switch self {
        case .resource: .resource(uri)
        case .resourceTemplate: .resourceTemplate(uri)
        case .tool, .prompt: self
        }
    }
}
