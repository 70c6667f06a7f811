import MCPRuntimeAPI

extension ProxyConfig {
    public struct Grant: Codable, Sendable, Hashable {
        public var name: String
        public var namespace: String
        public var subject: Subject
        public var maxTrust: TrustLevel?
        public var allowedSideEffects: [SideEffect]
        public var policyVersion: String?
        public var disabled: Bool
        /// RFC 3339; checked at request time.
        public var expiresAt: String?
        public var toolRules: [ToolRule]
        /// Empty (or absent, in a config of an earlier renderer): every resource.
        public var resourceRules: [ResourceRule]
        /// Empty (or absent): every prompt.
        public var promptRules: [PromptRule]
        /// Replace the server's limits for the grant's subjects; absent: the server's apply.
        public var rateLimits: RateLimits?

        public init(
            name: String, namespace: String, subject: Subject, maxTrust: TrustLevel?, allowedSideEffects: [SideEffect], policyVersion: String?,
            disabled: Bool, expiresAt: String?, toolRules: [ToolRule], resourceRules: [ResourceRule] = [], promptRules: [PromptRule] = []
        ) {
            self.name = name
            self.namespace = namespace
            self.subject = subject
            self.maxTrust = maxTrust
            self.allowedSideEffects = allowedSideEffects
            self.policyVersion = policyVersion
            self.disabled = disabled
            self.expiresAt = expiresAt
            self.toolRules = toolRules
            self.resourceRules = resourceRules
            self.promptRules = promptRules
        }

        private enum CodingKeys: String, CodingKey {
            case name, namespace, subject, maxTrust, allowedSideEffects, policyVersion, disabled, expiresAt, toolRules, resourceRules, promptRules, rateLimits
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            name = try container.decode(String.self, forKey: .name)
            namespace = try container.decode(String.self, forKey: .namespace)
            subject = try container.decode(Subject.self, forKey: .subject)
            maxTrust = try container.decodeIfPresent(TrustLevel.self, forKey: .maxTrust)
            allowedSideEffects = try container.decode([SideEffect].self, forKey: .allowedSideEffects)
            policyVersion = try container.decodeIfPresent(String.self, forKey: .policyVersion)
            disabled = try container.decode(Bool.self, forKey: .disabled)
            expiresAt = try container.decodeIfPresent(String.self, forKey: .expiresAt)
            toolRules = try container.decode([ToolRule].self, forKey: .toolRules)
            resourceRules = try container.decodeIfPresent([ResourceRule].self, forKey: .resourceRules) ?? []
            promptRules = try container.decodeIfPresent([PromptRule].self, forKey: .promptRules) ?? []
            rateLimits = try container.decodeIfPresent(RateLimits.self, forKey: .rateLimits)
        }

        /// Empty rule lists of the new kinds are left out, so that a grant without them has
        /// the document (and revision) an earlier renderer gave it.
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(name, forKey: .name)
            try container.encode(namespace, forKey: .namespace)
            try container.encode(subject, forKey: .subject)
            try container.encodeIfPresent(maxTrust, forKey: .maxTrust)
            try container.encode(allowedSideEffects, forKey: .allowedSideEffects)
            try container.encodeIfPresent(policyVersion, forKey: .policyVersion)
            try container.encode(disabled, forKey: .disabled)
            try container.encodeIfPresent(expiresAt, forKey: .expiresAt)
            try container.encode(toolRules, forKey: .toolRules)
            if !resourceRules.isEmpty { try container.encode(resourceRules, forKey: .resourceRules) }
            if !promptRules.isEmpty { try container.encode(promptRules, forKey: .promptRules) }
            try container.encodeIfPresent(rateLimits, forKey: .rateLimits)
        }
    }

    /// Resources whose URI starts with `uriPrefix` or matches `uriPattern` (`URIPattern`),
    /// exactly one of the two.
    public struct ResourceRule: Codable, Sendable, Hashable {
        public var uriPrefix: String?
        public var uriPattern: String?
        public var decision: PolicyDecision

        public init(uriPrefix: String? = nil, uriPattern: String? = nil, decision: PolicyDecision) {
            self.uriPrefix = uriPrefix
            self.uriPattern = uriPattern
            self.decision = decision
        }

        /// What the rule matches; nil when it has neither or both members, or a pattern
        /// that does not parse (such a rule matches nothing, and the decoder refuses it).
        public var match: ResourceMatch? {
            switch (uriPrefix, uriPattern) {
            case (let prefix?, nil) where !prefix.isEmpty: .prefix(prefix)
            case (nil, let pattern?): URIPattern(pattern).map(ResourceMatch.pattern)
            default: nil
            }
        }
    }

    public struct PromptRule: Codable, Sendable, Hashable {
        public var name: String
        public var decision: PolicyDecision

        public init(name: String, decision: PolicyDecision) {
            self.name = name
            self.decision = decision
        }
    }

    public struct ToolRule: Codable, Sendable, Hashable {
        public var name: String
        public var decision: PolicyDecision
        public var requiredTrust: TrustLevel?

        public init(name: String, decision: PolicyDecision, requiredTrust: TrustLevel?) {
            self.name = name
            self.decision = decision
            self.requiredTrust = requiredTrust
        }
    }
}
