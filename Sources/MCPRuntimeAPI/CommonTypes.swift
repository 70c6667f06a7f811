import KubeCore

/// A key in a Secret in the same namespace.
public struct SecretKeyRef: Codable, Sendable, Hashable {
    public var name: String?
    public var key: String?

    public init(name: String? = nil, key: String? = nil) {
        self.name = name
        self.key = key
    }
}

/// Points a grant or session at an `MCPServer`; `namespace` defaults to the referrer's.
public struct ServerReference: Codable, Sendable, Hashable {
    public var name: String?
    public var namespace: String?

    public init(name: String? = nil, namespace: String? = nil) {
        self.name = name
        self.namespace = namespace
    }
}

/// Who a grant or session applies to. Every non-empty field must match the caller.
public struct SubjectRef: Codable, Sendable, Hashable {
    public var humanID: String?
    public var agentID: String?
    public var teamID: String?

    public init(humanID: String? = nil, agentID: String? = nil, teamID: String? = nil) {
        self.humanID = humanID
        self.agentID = agentID
        self.teamID = teamID
    }
}

/// `phase`, `message` and `conditions`: the status shape of grants and sessions.
public struct BindingStatus: Codable, Sendable, Hashable {
    public var phase: String?
    public var message: String?
    public var observedGeneration: Int64?
    public var conditions: [Condition]?

    public init(phase: String? = nil, message: String? = nil, observedGeneration: Int64? = nil, conditions: [Condition]? = nil) {
        self.phase = phase
        self.message = message
        self.observedGeneration = observedGeneration
        self.conditions = conditions
    }
}

