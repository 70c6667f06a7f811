import KubeCore

/// `MCPAccessGrant`: lets a subject use tools of one `MCPServer` up to a trust ceiling.
public struct MCPAccessGrant: KubeResource, Hashable {
    public static let apiVersion = MCPRuntimeGroup.apiVersion
    public static let kind = "MCPAccessGrant"
    public static let plural = "mcpaccessgrants"

    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var spec: MCPAccessGrantSpec
    public var status: BindingStatus?

    public init(metadata: ObjectMeta, spec: MCPAccessGrantSpec) {
        self.apiVersion = Self.apiVersion
        self.kind = Self.kind
        self.metadata = metadata
        self.spec = spec
    }
}

public struct MCPAccessGrantSpec: Codable, Sendable, Hashable {
    public var serverRef: ServerReference?
    public var subject: SubjectRef?
    public var maxTrust: String?
    public var allowedSideEffects: [String]?
    public var policyVersion: String?
    public var disabled: Bool?
    /// RFC 3339; the grant stops matching after it.
    public var expiresAt: String?
    public var toolRules: [ToolRule]?
    /// Which resources (`resources/read`, `resources/subscribe`, `resources/list`,
    /// `resources/templates/list`) the grant gives. Absent or empty: every resource, as
    /// before resource rules existed.
    public var resourceRules: [ResourceRule]?
    /// Which prompts (`prompts/get`, `prompts/list`) the grant gives. Absent or empty:
    /// every prompt.
    public var promptRules: [PromptRule]?
    /// Replaces the server's rate limits for this grant's subjects (the most generous of
    /// the caller's usable grants that set a limit applies).
    public var rateLimits: RateLimitsConfig?

    public init(
        serverRef: ServerReference? = nil, subject: SubjectRef? = nil, maxTrust: String? = nil, allowedSideEffects: [String]? = nil,
        toolRules: [ToolRule]? = nil, resourceRules: [ResourceRule]? = nil, promptRules: [PromptRule]? = nil
    ) {
        self.serverRef = serverRef
        self.subject = subject
        self.maxTrust = maxTrust
        self.allowedSideEffects = allowedSideEffects
        self.toolRules = toolRules
        self.resourceRules = resourceRules
        self.promptRules = promptRules
    }
}

/// Allows or denies one tool within a grant.
public struct ToolRule: Codable, Sendable, Hashable {
    public var name: String?
    public var decision: String?
    public var requiredTrust: String?

    public init(name: String? = nil, decision: String? = nil, requiredTrust: String? = nil) {
        self.name = name
        self.decision = decision
        self.requiredTrust = requiredTrust
    }
}

/// Allows or denies the resources whose URI starts with `uriPrefix`, or matches
/// `uriPattern` (exactly one of the two).
public struct ResourceRule: Codable, Sendable, Hashable {
    public var uriPrefix: String?
    public var uriPattern: String?
    public var decision: String?

    public init(uriPrefix: String? = nil, uriPattern: String? = nil, decision: String? = nil) {
        self.uriPrefix = uriPrefix
        self.uriPattern = uriPattern
        self.decision = decision
    }
}

/// Allows or denies one prompt within a grant.
public struct PromptRule: Codable, Sendable, Hashable {
    public var name: String?
    public var decision: String?

    public init(name: String? = nil, decision: String? = nil) {
        self.name = name
        self.decision = decision
    }
}
