import KubeCore

/// `MCPAgentSession`: a consented, expiring, revocable agent session on one `MCPServer`.
public struct MCPAgentSession: KubeResource, Hashable {
    public static let apiVersion = MCPRuntimeGroup.apiVersion
    public static let kind = "MCPAgentSession"
    public static let plural = "mcpagentsessions"

    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var spec: MCPAgentSessionSpec
    public var status: BindingStatus?

    public init(metadata: ObjectMeta, spec: MCPAgentSessionSpec) {
        self.apiVersion = Self.apiVersion
        self.kind = Self.kind
        self.metadata = metadata
        self.spec = spec
    }
}

public struct MCPAgentSessionSpec: Codable, Sendable, Hashable {
    public var serverRef: ServerReference?
    public var subject: SubjectRef?
    public var consentedTrust: String?
    /// RFC 3339; the session is expired after it.
    public var expiresAt: String?
    public var revoked: Bool?
    public var upstreamTokenSecretRef: SecretKeyRef?
    public var policyVersion: String?

    public init(serverRef: ServerReference? = nil, subject: SubjectRef? = nil, consentedTrust: String? = nil, expiresAt: String? = nil, revoked: Bool? = nil) {
        self.serverRef = serverRef
        self.subject = subject
        self.consentedTrust = consentedTrust
        self.expiresAt = expiresAt
        self.revoked = revoked
    }
}
