import Foundation
import MCPProxyConfig
import MCPRuntimeAPI

extension CompiledPolicy {
    /// Governance for one `tools/call`, in the order of the reference evaluation:
    /// identity, session, tool metadata, grants (deny rules first), side effects,
    /// trust capped by the live session. Expiry is checked against `now`.
    /// In observe mode the call is allowed and the enforced outcome is recorded.
    public func evaluate(tool name: String, caller: CallerIdentity, now: Date, activity: SessionActivity = SessionActivity()) -> GovernanceDecision {
        var decision = enforce(tool: name, caller: caller, now: now, activity: activity)
        decision.enforcedAllowed = decision.allowed
        if policy.mode == .observe { decision.allowed = true }
        return decision
    }

    private func enforce(tool name: String, caller: CallerIdentity, now: Date, activity: SessionActivity) -> GovernanceDecision {
        var decision = GovernanceDecision(
            allowed: false, enforcedAllowed: false, reason: .allowed, policyVersion: policy.version,
            tool: name, session: nil, grants: [], requiredTrust: nil, effectiveTrust: nil
        )
        func deny(_ reason: DecisionReason) -> GovernanceDecision {
            var denied = decision
            denied.reason = reason
            return denied
        }
        func byDefault(_ reason: DecisionReason) -> GovernanceDecision {
            var result = decision
            result.reason = reason
            result.allowed = policy.defaultDecision == .allow
            return result
        }

        guard caller.isIdentified else { return deny(.missingIdentity) }
        if sessionRequired && caller.sessionID == nil { return deny(.missingSession) }

        var live: Session?
        switch standing(of: caller, now: now, activity: activity) {
        case .refused(let reason): return deny(reason)
        case .live(let session):
            live = session
            decision.session = session.config.name
        case .unknown where sessionRequired: return deny(.sessionNotFound)
        case .unknown, .unnamed: break
        }

        let tool = tools[name].flatMap { Self.same($0.name, name) ? $0 : nil }
        var required = tool?.requiredTrust ?? .low
        let sideEffect = tool?.sideEffect
        decision.requiredTrust = required

        let matching = grants.filter { Self.matches($0.config.subject, caller) }
        if matching.isEmpty { return byDefault(.noMatchingGrant) }
        let usable = matching.filter { grant in
            !grant.config.disabled && !(grant.expiresAt.map { now >= $0 } ?? false)
        }
        if usable.isEmpty {
            return byDefault(matching.contains { $0.config.disabled } ? .grantRevoked : .grantExpired)
        }

        var toolAllowed = false
        var sideEffectAllowed = false
        var bestTrust: TrustLevel?
        for grant in usable {
            let rule = grant.config.toolRules.first { Self.same($0.name, name) }
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
        let effective = min(best, live?.config.consentedTrust ?? best)
        decision.effectiveTrust = effective
        guard effective >= required else { return deny(.trustTooLow) }
        decision.allowed = true
        return decision
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
