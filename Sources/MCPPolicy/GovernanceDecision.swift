import MCPRuntimeAPI

/// Why governance decided as it did. The raw values appear in audit lines, metrics
/// and JSON-RPC error bodies.
public enum DecisionReason: String, Sendable, Hashable, CaseIterable {
    case allowed
    case missingIdentity = "missing_identity"
    case missingSession = "missing_session"
    case sessionNotFound = "session_not_found"
    case sessionRevoked = "session_revoked"
    case sessionExpired = "session_expired"
    /// Older than `session.maxLifetimeSeconds` since its creation.
    case sessionLifetimeExceeded = "session_lifetime_exceeded"
    /// Unused for longer than `session.idleTimeoutSeconds`, as far as this replica saw.
    case sessionIdle = "session_idle"
    case noMatchingGrant = "no_matching_grant"
    case grantRevoked = "grant_revoked"
    case grantExpired = "grant_expired"
    case toolDenied = "tool_denied"
    case toolNotGranted = "tool_not_granted"
    case toolSideEffectUnknown = "tool_side_effect_unknown"
    case sideEffectNotAllowed = "side_effect_not_allowed"
    case grantWithoutTrust = "grant_without_trust"
    case trustTooLow = "trust_too_low"
    /// A deny resource rule of a matching grant covers the URI (or template).
    case resourceDenied = "resource_denied"
    /// Every usable grant has resource rules, and none allows the URI.
    case resourceNotGranted = "resource_not_granted"
    case promptDenied = "prompt_denied"
    case promptNotGranted = "prompt_not_granted"

    /// The HTTP status of a denial for this reason: identity and session problems are
    /// 401, everything else 403. Never `insufficient_scope`: no scope fixes these.
    public var denialStatus: Int {
        switch self {
        case .missingIdentity, .missingSession, .sessionNotFound, .sessionRevoked, .sessionExpired, .sessionLifetimeExceeded, .sessionIdle: 401
        default: 403
        }
    }
}

/// The outcome of governance for one item: a `tools/call`, `resources/read`, `prompts/get`,
/// or one entry of a list answer.
public struct GovernanceDecision: Sendable, Hashable {
    /// Whether the call goes through. In observe mode always true.
    public var allowed: Bool
    /// Whether enforcement would have allowed it (differs from `allowed` only in observe mode).
    public var enforcedAllowed: Bool
    public var reason: DecisionReason
    /// The server's policy version, labelling the decision.
    public var policyVersion: String
    public var item: GovernedItem
    /// The live session the call ran in, if any.
    public var session: String?
    /// The grants that allowed the item, by `namespace/name`.
    public var grants: [String]
    public var requiredTrust: TrustLevel?
    public var effectiveTrust: TrustLevel?

    /// The HTTP status to answer with: 200 when allowed.
    public var status: Int { allowed ? 200 : reason.denialStatus }
}
