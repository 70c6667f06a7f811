/// Who is calling, as the proxy resolved it (from token claims or trusted headers).
public struct CallerIdentity: Sendable, Hashable {
    public var humanID: String?
    public var agentID: String?
    public var teamID: String?
    /// The agent session the caller names, if any.
    public var sessionID: String?

    public init(humanID: String? = nil, agentID: String? = nil, teamID: String? = nil, sessionID: String? = nil) {
        self.humanID = humanID.flatMap { $0.isEmpty ? nil : $0 }
        self.agentID = agentID.flatMap { $0.isEmpty ? nil : $0 }
        self.teamID = teamID.flatMap { $0.isEmpty ? nil : $0 }
        self.sessionID = sessionID.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// True when at least one of human, agent or team is known.
    public var isIdentified: Bool { humanID != nil || agentID != nil || teamID != nil }
}
