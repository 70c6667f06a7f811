import Foundation
import KubeCore

/// Identifies one `MCPServer`.
public struct ServerKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var namespace: String
    public var name: String

    public init(namespace: String, name: String) {
        self.namespace = namespace
        self.name = name
    }

    public var description: String { "\(namespace)/\(name)" }

    public static func < (lhs: ServerKey, rhs: ServerKey) -> Bool {
        (lhs.namespace, lhs.name) < (rhs.namespace, rhs.name)
    }
}

/// A validated subject: at least one field is set.
public struct Subject: Sendable, Hashable {
    public var humanID: String?
    public var agentID: String?
    public var teamID: String?
}

/// A validated `MCPAccessGrant`.
public struct ResolvedGrant: Sendable, Hashable {
    public var name: String
    public var namespace: String
    public var server: ServerKey
    public var subject: Subject
    public var maxTrust: TrustLevel?
    public var allowedSideEffects: [SideEffect]
    public var policyVersion: String?
    public var disabled: Bool
    public var expiresAt: Date?
    public var toolRules: [ResolvedToolRule]
    public var resourceRules: [ResolvedResourceRule] = []
    public var promptRules: [ResolvedPromptRule] = []
    /// As declared, for all proxy replicas together; nil: the server's apply.
    public var rateLimits: ResolvedRateLimits? = nil
}

public struct ResolvedToolRule: Sendable, Hashable {
    public var name: String
    public var decision: PolicyDecision
    public var requiredTrust: TrustLevel?
}

/// Which resource URIs a resource rule is about.
public enum ResourceMatch: Sendable, Hashable {
    /// The URIs that start with this text, byte for byte.
    case prefix(String)
    case pattern(URIPattern)

    public func matches(_ uri: String) -> Bool {
        switch self {
        case .prefix(let prefix): uri.utf8.starts(with: prefix.utf8)
        case .pattern(let pattern): pattern.matches(uri)
        }
    }
}

public struct ResolvedResourceRule: Sendable, Hashable {
    public var match: ResourceMatch
    public var decision: PolicyDecision

    public init(match: ResourceMatch, decision: PolicyDecision) {
        self.match = match
        self.decision = decision
    }
}

public struct ResolvedPromptRule: Sendable, Hashable {
    public var name: String
    public var decision: PolicyDecision

    public init(name: String, decision: PolicyDecision) {
        self.name = name
        self.decision = decision
    }
}

/// A validated `MCPAgentSession`.
public struct ResolvedAgentSession: Sendable, Hashable {
    public var name: String
    public var namespace: String
    public var server: ServerKey
    public var subject: Subject
    public var consentedTrust: TrustLevel?
    public var expiresAt: Date?
    public var revoked: Bool
    public var upstreamToken: SecretRef?
    public var policyVersion: String?
    /// `metadata.creationTimestamp`, set by the API server.
    public var createdAt: Date? = nil
}

/// The outcome of resolving a grant or a session.
public struct BindingResolution<Value: Sendable>: Sendable {
    public var value: Value?
    public var issues: [ValidationIssue]
}

extension MCPAccessGrant {
    /// Validates and resolves this grant. Pure.
    public func resolve() -> BindingResolution<ResolvedGrant> {
        var checker = BindingChecker(metadata: metadata)
        let path = FieldPath("spec")
        let server = checker.serverKey(spec.serverRef, at: path.child("serverRef"))
        let subject = checker.subject(spec.subject, at: path.child("subject"))
        let maxTrust = checker.issues.choice(spec.maxTrust, as: TrustLevel.self, at: path.child("maxTrust"))
        var sideEffects: [SideEffect] = []
        for (index, value) in (spec.allowedSideEffects ?? []).enumerated() {
            if let effect = checker.issues.choice(value, as: SideEffect.self, at: path.child("allowedSideEffects").index(index)) {
                sideEffects.append(effect)
            }
        }
        checker.issues.unique(spec.allowedSideEffects ?? [], at: path.child("allowedSideEffects"), what: "side effect")
        var rules: [ResolvedToolRule] = []
        for (index, rule) in (spec.toolRules ?? []).enumerated() {
            let item = path.child("toolRules").index(index)
            let trust = checker.issues.choice(rule.requiredTrust, as: TrustLevel.self, at: item.child("requiredTrust"))
            let decision = checker.decision(rule.decision, at: item.child("decision"), rule: "tool rule")
            guard let name = rule.name, !name.isEmpty else {
                checker.issues.required(item.child("name"), "a tool rule needs the tool's name")
                continue
            }
            if let decision { rules.append(ResolvedToolRule(name: name, decision: decision, requiredTrust: trust)) }
        }
        checker.issues.unique((spec.toolRules ?? []).map(\.name), at: path.child("toolRules"), field: "name", what: "tool rule")
        let resourceRules = checker.resourceRules(spec.resourceRules ?? [], at: path.child("resourceRules"))
        let promptRules = checker.promptRules(spec.promptRules ?? [], at: path.child("promptRules"))
        checker.policyVersion(spec.policyVersion, at: path.child("policyVersion"))
        let expiresAt = checker.timestamp(spec.expiresAt, at: path.child("expiresAt"))
        let rateLimits = checker.issues.rateLimits(spec.rateLimits, at: path.child("rateLimits"))

        guard checker.issues.errors.isEmpty, let server, let subject else {
            return BindingResolution(value: nil, issues: checker.issues.items)
        }
        var grant = ResolvedGrant(
            name: checker.name, namespace: checker.namespace, server: server, subject: subject,
            maxTrust: maxTrust, allowedSideEffects: sideEffects, policyVersion: spec.policyVersion,
            disabled: spec.disabled ?? false, expiresAt: expiresAt, toolRules: rules,
            resourceRules: resourceRules, promptRules: promptRules
        )
        grant.rateLimits = rateLimits
        return BindingResolution(value: grant, issues: checker.issues.items)
    }
}

extension MCPAgentSession {
    /// Validates and resolves this session. Pure.
    public func resolve() -> BindingResolution<ResolvedAgentSession> {
        var checker = BindingChecker(metadata: metadata)
        let path = FieldPath("spec")
        let server = checker.serverKey(spec.serverRef, at: path.child("serverRef"))
        let subject = checker.subject(spec.subject, at: path.child("subject"))
        let trust = checker.issues.choice(spec.consentedTrust, as: TrustLevel.self, at: path.child("consentedTrust"))
        let expiresAt = checker.timestamp(spec.expiresAt, at: path.child("expiresAt"))
        checker.policyVersion(spec.policyVersion, at: path.child("policyVersion"))
        var token: SecretRef?
        if let ref = spec.upstreamTokenSecretRef {
            token = checker.issues.secretRef(ref, at: path.child("upstreamTokenSecretRef"))
        }
        guard checker.issues.errors.isEmpty, let server, let subject else {
            return BindingResolution(value: nil, issues: checker.issues.items)
        }
        let session = ResolvedAgentSession(
            name: checker.name, namespace: checker.namespace, server: server, subject: subject,
            consentedTrust: trust, expiresAt: expiresAt, revoked: spec.revoked ?? false,
            upstreamToken: token, policyVersion: spec.policyVersion,
            createdAt: metadata.creationTimestamp.flatMap(Syntax.parseTimestamp)
        )
        return BindingResolution(value: session, issues: checker.issues.items)
    }
}

/// Checks shared by grants and sessions.
struct BindingChecker {
    let name: String
    let namespace: String
    var issues = IssueList()

    init(metadata: ObjectMeta) {
        name = metadata.name ?? ""
        namespace = metadata.namespace ?? "default"
        if name.isEmpty { issues.required(FieldPath("metadata", "name"), "name is required") }
    }

    mutating func serverKey(_ ref: ServerReference?, at path: FieldPath) -> ServerKey? {
        guard let serverName = ref?.name, !serverName.isEmpty else {
            issues.required(path.child("name"), "the MCPServer this applies to is required", hint: "set spec.serverRef.name (and spec.serverRef.namespace if it lives elsewhere)")
            return nil
        }
        return ServerKey(namespace: ref?.namespace.flatMap { $0.isEmpty ? nil : $0 } ?? namespace, name: serverName)
    }

    mutating func subject(_ subject: SubjectRef?, at path: FieldPath) -> Subject? {
        let value = Subject(
            humanID: subject?.humanID.flatMap { $0.isEmpty ? nil : $0 },
            agentID: subject?.agentID.flatMap { $0.isEmpty ? nil : $0 },
            teamID: subject?.teamID.flatMap { $0.isEmpty ? nil : $0 }
        )
        if let team = value.teamID, !Syntax.isIdentifier(team) {
            issues.invalid(path.child("teamID"), "teamID must be a stable identifier of 1 to 128 characters without whitespace")
        }
        guard value.humanID != nil || value.agentID != nil || value.teamID != nil else {
            issues.required(path, "at least one of humanID, agentID or teamID is required", hint: "a subject that names nobody would match everybody")
            return nil
        }
        return value
    }

    mutating func timestamp(_ text: String?, at path: FieldPath) -> Date? {
        guard let text else { return nil }
        guard let date = Syntax.parseTimestamp(text) else {
            issues.invalid(path, "\"\(text)\" is not an RFC 3339 timestamp", hint: "use e.g. 2026-12-31T23:59:59Z")
            return nil
        }
        return date
    }

    /// A rule's decision: required, allow or deny.
    mutating func decision(_ text: String?, at path: FieldPath, rule: String) -> PolicyDecision? {
        guard let text, !text.isEmpty else {
            issues.required(path, "a \(rule) needs a decision", hint: "use allow or deny")
            return nil
        }
        return issues.choice(text, as: PolicyDecision.self, at: path)
    }

    mutating func resourceRules(_ rules: [ResourceRule], at path: FieldPath) -> [ResolvedResourceRule] {
        var resolved: [ResolvedResourceRule] = []
        if rules.count > Self.maxResourceRules {
            issues.invalid(path, "\(rules.count) resource rules; at most \(Self.maxResourceRules)", hint: "cover URIs with prefixes or ** patterns")
        }
        for (index, rule) in rules.enumerated() {
            let item = path.index(index)
            let decision = decision(rule.decision, at: item.child("decision"), rule: "resource rule")
            var match: ResourceMatch?
            switch (rule.uriPrefix, rule.uriPattern) {
            case (let prefix?, nil) where !prefix.isEmpty:
                match = .prefix(prefix)
            case (nil, let text?):
                if let pattern = URIPattern(text) {
                    match = .pattern(pattern)
                } else {
                    issues.invalid(item.child("uriPattern"), "\"\(text)\" is not a URI pattern", hint: "* matches within one path segment, ** across segments; *** means neither")
                }
            case (_?, _?):
                issues.invalid(item, "a resource rule has uriPrefix or uriPattern, not both")
            default:
                issues.required(item.child("uriPrefix"), "a resource rule needs a non-empty uriPrefix or uriPattern", hint: "an empty prefix would match every resource: leave resourceRules out to give them all")
            }
            if let text = rule.uriPrefix ?? rule.uriPattern, text.contains("%") {
                issues.invalid(item.child(rule.uriPrefix != nil ? "uriPrefix" : "uriPattern"), "\"\(text)\" has a %", hint: "rules compare URIs percent-decoded: write the characters themselves, such as a space or ü")
                match = nil
            }
            if let match, let decision { resolved.append(ResolvedResourceRule(match: match, decision: decision)) }
        }
        issues.unique(rules.map { $0.uriPrefix.map { "uriPrefix \($0)" } ?? $0.uriPattern.map { "uriPattern \($0)" } }, at: path, what: "resource rule")
        return resolved
    }

    /// As the CRD's `maxItems`: every request of the grant's callers may compare them all.
    static let maxResourceRules = 64

    mutating func promptRules(_ rules: [PromptRule], at path: FieldPath) -> [ResolvedPromptRule] {
        var resolved: [ResolvedPromptRule] = []
        for (index, rule) in rules.enumerated() {
            let item = path.index(index)
            let decision = decision(rule.decision, at: item.child("decision"), rule: "prompt rule")
            guard let name = rule.name, !name.isEmpty else {
                issues.required(item.child("name"), "a prompt rule needs the prompt's name")
                continue
            }
            if let decision { resolved.append(ResolvedPromptRule(name: name, decision: decision)) }
        }
        issues.unique(rules.map(\.name), at: path, field: "name", what: "prompt rule")
        return resolved
    }

    mutating func policyVersion(_ version: String?, at path: FieldPath) {
        if let version, !Syntax.isIdentifier(version, maxLength: 63) {
            issues.invalid(path, "\"\(version)\" is not a policy version", hint: "use a short label without whitespace, such as v2")
        }
    }
}
