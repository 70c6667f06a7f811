import Foundation
import MCPProxyConfig
import MCPRuntimeAPI

extension CompiledPolicy {
    /// Governance for one `tools/call`, in the order of the reference evaluation:
    /// identity, session, tool metadata, grants (deny rules first), side effects,
    /// trust capped by the live session. Expiry is checked against `now`.
    /// In observe mode the call is allowed and the enforced outcome is recorded.
    public func evaluate(tool name: String, caller: CallerIdentity, now: Date, activity: SessionActivity = SessionActivity()) -> GovernanceDecision {
        evaluate(.tool(name), caller: caller, now: now, activity: activity)
    }

    /// Governance for one item: a tool as `evaluate(tool:)` says; a resource, resource
    /// template or prompt by the same identity, session and grant steps, then the grants'
    /// resource or prompt rules (deny first; a grant without rules of the kind gives every
    /// item of it). Trust and side effects are tools' only.
    public func evaluate(_ item: GovernedItem, caller: CallerIdentity, now: Date, activity: SessionActivity = SessionActivity()) -> GovernanceDecision {
        callerStanding(of: caller, now: now, activity: activity).evaluate(item)
    }

    /// What governance knows of `caller` before it looks at any item, to decide many items
    /// (the entries of a list answer) the same way as one call each.
    public func callerStanding(of caller: CallerIdentity, now: Date, activity: SessionActivity) -> CallerStanding {
        func settled(_ reason: DecisionReason, allowed: Bool = false) -> CallerStanding {
            CallerStanding(policy: self, outcome: .settled(reason, allowed: allowed))
        }
        let byDefault = policy.defaultDecision == .allow

        guard caller.isIdentified else { return settled(.missingIdentity) }
        if sessionRequired && caller.sessionID == nil { return settled(.missingSession) }

        var live: Session?
        switch standing(of: caller, now: now, activity: activity) {
        case .refused(let reason): return settled(reason)
        case .live(let session): live = session
        case .unknown where sessionRequired: return settled(.sessionNotFound)
        case .unknown, .unnamed: break
        }

        let matching = grants.filter { Self.matches($0.config.subject, caller) }
        if matching.isEmpty { return settled(.noMatchingGrant, allowed: byDefault).in(live) }
        let usable = matching.filter { grant in
            !grant.config.disabled && !(grant.expiresAt.map { now >= $0 } ?? false)
        }
        if usable.isEmpty {
            return settled(matching.contains { $0.config.disabled } ? .grantRevoked : .grantExpired, allowed: byDefault).in(live)
        }
        return CallerStanding(policy: self, outcome: .granted(usable), session: live)
    }

    /// Every non-empty subject field equals the caller's, and at least one is set.
    static func matches(_ subject: ProxyConfig.Subject, _ caller: CallerIdentity) -> Bool {
        let pairs = [(subject.humanID, caller.humanID), (subject.agentID, caller.agentID), (subject.teamID, caller.teamID)]
        let set = pairs.filter { $0.0 != nil }
        return !set.isEmpty && set.allSatisfy { expected, given in given.map { same(expected!, $0) } ?? false }
    }

    /// Byte for byte: Swift's `==` equates canonically equivalent text (U+212A KELVIN SIGN
    /// and `K`, composed and decomposed accents), which the upstream and the identity
    /// provider treat as other names.
    static func same(_ a: String, _ b: String) -> Bool {
        a.utf8.elementsEqual(b.utf8)
    }
}

/// A caller's standing under one compiled policy at one instant: either settled for
/// every item (no identity, a refused session, no usable grant), or the usable grants
/// that decide item by item. Evaluating an item here is what `evaluate` does for it.
public struct CallerStanding: Sendable {
    enum Outcome: Sendable {
        /// The same reason for every item; `allowed` only by the default decision.
        case settled(DecisionReason, allowed: Bool)
        case granted([CompiledPolicy.Grant])
    }

    let policy: CompiledPolicy
    let outcome: Outcome
    var session: CompiledPolicy.Session?

    /// With the caller's live session, which a default-decided call still runs in.
    func `in`(_ session: CompiledPolicy.Session?) -> CallerStanding {
        var standing = self
        standing.session = session
        return standing
    }

    /// The decision for `item`; in observe mode allowed, with the enforced outcome kept.
    public func evaluate(_ item: GovernedItem) -> GovernanceDecision {
        var decision = enforce(item)
        decision.enforcedAllowed = decision.allowed
        if policy.policy.mode == .observe { decision.allowed = true }
        return decision
    }

    /// Whether enforcement allows `item`, whatever the mode.
    public func permits(_ item: GovernedItem) -> Bool {
        enforce(item).allowed
    }

    private func enforce(_ item: GovernedItem) -> GovernanceDecision {
        var decision = GovernanceDecision(
            allowed: false, enforcedAllowed: false, reason: .allowed, policyVersion: policy.policy.version,
            item: item, session: session?.config.name, grants: [], requiredTrust: nil, effectiveTrust: nil
        )
        func settled(_ reason: DecisionReason, allowed: Bool) -> GovernanceDecision {
            var result = decision
            result.reason = reason
            result.allowed = allowed
            return result
        }
        let usable: [CompiledPolicy.Grant]
        switch outcome {
        case .settled(let reason, let allowed):
            // As a tools/call learns: its trust once identity and session stand.
            if case .tool(let name) = item, [.noMatchingGrant, .grantRevoked, .grantExpired].contains(reason) {
                decision.requiredTrust = policy.tool(named: name)?.requiredTrust ?? .low
            }
            return settled(reason, allowed: allowed)
        case .granted(let grants):
            usable = grants
        }

        switch item {
        case .tool(let name):
            return decideTool(name, usable, decision)
        case .resource(let uri), .resourceTemplate(let uri):
            return ruled(usable, decision, denied: .resourceDenied, notGranted: .resourceNotGranted) { grant in
                let covering = grant.resourceRules.filter { $0.match.matches(uri) }
                if covering.contains(where: { $0.decision == .deny }) { return .deny }
                return grant.config.resourceRules.isEmpty || !covering.isEmpty ? .allow : nil
            }
        case .prompt(let name):
            return ruled(usable, decision, denied: .promptDenied, notGranted: .promptNotGranted) { grant in
                if grant.config.promptRules.isEmpty { return .allow }
                return grant.config.promptRules.first { CompiledPolicy.same($0.name, name) }?.decision
            }
        }
    }

    /// Resource and prompt rules. `rule` gives a grant's word on the item: deny (a deny
    /// rule covers it: refused at once, whatever other grants allow), allow (an allow rule
    /// covers it, or the grant has no rules of the kind and so gives every item), nil (its
    /// rules do not cover it). Without any allow the default decision applies.
    private func ruled(
        _ usable: [CompiledPolicy.Grant], _ start: GovernanceDecision, denied: DecisionReason, notGranted: DecisionReason,
        _ rule: (CompiledPolicy.Grant) -> PolicyDecision?
    ) -> GovernanceDecision {
        var decision = start
        for grant in usable {
            switch rule(grant) {
            case .deny?:
                decision.reason = denied
                decision.grants = [grant.key]
                decision.allowed = false
                return decision
            case .allow?:
                decision.grants.append(grant.key)
            case nil:
                break
            }
        }
        decision.reason = decision.grants.isEmpty ? notGranted : .allowed
        decision.allowed = !decision.grants.isEmpty || policy.policy.defaultDecision == .allow
        return decision
    }

    private func decideTool(_ name: String, _ usable: [CompiledPolicy.Grant], _ start: GovernanceDecision) -> GovernanceDecision {
        var decision = start
        func deny(_ reason: DecisionReason) -> GovernanceDecision {
            var denied = decision
            denied.reason = reason
            denied.allowed = false
            return denied
        }
        func byDefault(_ reason: DecisionReason) -> GovernanceDecision {
            var result = decision
            result.reason = reason
            result.allowed = policy.policy.defaultDecision == .allow
            return result
        }
        let tool = policy.tool(named: name)
        var required = tool?.requiredTrust ?? .low
        let sideEffect = tool?.sideEffect
        decision.requiredTrust = required

        var toolAllowed = false
        var sideEffectAllowed = false
        var bestTrust: TrustLevel?
        for grant in usable {
            let rule = grant.config.toolRules.first { CompiledPolicy.same($0.name, name) }
            if rule?.decision == .deny {
                var denied = deny(.toolDenied)
                denied.grants = [grant.key]
                return denied
            }
            guard grant.config.toolRules.isEmpty || rule?.decision == .allow else { continue }
            toolAllowed = true
            decision.grants.append(grant.key)
            guard let sideEffect, grant.config.allowedSideEffects.contains(sideEffect) else { continue }
            sideEffectAllowed = true
            if let trust = grant.config.maxTrust { bestTrust = max(bestTrust ?? trust, trust) }
            if let ruleTrust = rule?.requiredTrust { required = max(required, ruleTrust) }
        }
        decision.requiredTrust = required

        guard toolAllowed else { return byDefault(.toolNotGranted) }
        guard sideEffect != nil else { return deny(.toolSideEffectUnknown) }
        guard sideEffectAllowed else { return deny(.sideEffectNotAllowed) }
        guard let best = bestTrust else { return byDefault(.grantWithoutTrust) }
        let effective = min(best, session?.config.consentedTrust ?? best)
        decision.effectiveTrust = effective
        guard effective >= required else { return deny(.trustTooLow) }
        decision.allowed = true
        return decision
    }
}

extension CompiledPolicy {
    /// The server's metadata for a tool, by its exact name.
    func tool(named name: String) -> ProxyConfig.Tool? {
        tools[name].flatMap { Self.same($0.name, name) ? $0 : nil }
    }
}
