import KubeCore

extension ServerResolver {
    struct Governance {
        var policy: ResolvedPolicy
        var session: SessionSettings
        var tools: [ResolvedTool]
    }

    mutating func resolveGovernance() -> Governance {
        let path = Self.spec
        let policy = (spec.policy ?? PolicyConfig()).defaulted()
        let mode = issues.choice(policy.mode, as: PolicyMode.self, at: path.child("policy", "mode"))
        let decision = issues.choice(policy.defaultDecision, as: PolicyDecision.self, at: path.child("policy", "defaultDecision"))
        let version = policy.policyVersion ?? Defaults.policyVersion
        if !Syntax.isIdentifier(version, maxLength: 63) {
            issues.invalid(path.child("policy", "policyVersion"), "\"\(version)\" is not a policy version", hint: "use a short label without whitespace, such as v2")
        }

        let session = (spec.session ?? SessionConfig()).defaulted()
        let maxLifetime = duration(session.maxLifetime, at: path.child("session", "maxLifetime"))
        let idleTimeout = duration(session.idleTimeout, at: path.child("session", "idleTimeout"))
        for (field, value) in [("headerName", session.headerName), ("upstreamTokenHeader", session.upstreamTokenHeader)] {
            if let value, !Syntax.isHTTPToken(value) {
                issues.invalid(path.child("session", field), "\"\(value)\" is not a valid HTTP header name")
            }
        }
        let bindingKey = issues.secretRef(session.bindingKeySecretRef, at: path.child("session", "bindingKeySecretRef"), required: false)
        if session.bindingKeySecretRef == nil, (spec.replicas ?? Defaults.replicas) > 1 {
            issues.warn(
                path.child("session", "bindingKeySecretRef"),
                "without a shared key each proxy replica binds MCP sessions with its own, so a session opens only on the replica that created it (404 elsewhere: the client starts a new one)",
                hint: "kubectl create secret generic NAME --from-literal=key=$(openssl rand -base64 32), then set {name: NAME, key: key}"
            )
        }

        var tools: [ResolvedTool] = []
        let list = spec.tools ?? []
        for (index, tool) in list.enumerated() {
            let item = path.child("tools").index(index)
            let trust = issues.choice(tool.requiredTrust, as: TrustLevel.self, at: item.child("requiredTrust"))
            issues.choice(tool.riskLevel, as: RiskLevel.self, at: item.child("riskLevel"))
            let scopes = scopes(tool.requiredScopes, at: item.child("requiredScopes"))
            var sideEffect: SideEffect?
            if tool.sideEffect?.isEmpty ?? true {
                issues.required(item.child("sideEffect"), "every tool needs a side effect", hint: "use read, write or destructive")
            } else {
                sideEffect = issues.choice(tool.sideEffect, as: SideEffect.self, at: item.child("sideEffect"))
            }
            guard let name = tool.name, !name.isEmpty else {
                issues.required(item.child("name"), "every tool needs its MCP name")
                continue
            }
            if let sideEffect {
                tools.append(ResolvedTool(name: name, requiredTrust: trust ?? Defaults.toolRequiredTrust, sideEffect: sideEffect, requiredScopes: scopes))
            }
        }
        issues.unique(list.map(\.name), at: path.child("tools"), field: "name", what: "tool name")

        return Governance(
            policy: ResolvedPolicy(mode: mode ?? Defaults.policyMode, defaultDecision: decision ?? Defaults.defaultDecision, version: version),
            session: SessionSettings(
                required: session.required ?? false,
                headerName: session.headerName ?? Defaults.sessionIDHeader,
                maxLifetimeSeconds: maxLifetime,
                idleTimeoutSeconds: idleTimeout,
                upstreamTokenHeader: session.upstreamTokenHeader ?? Defaults.upstreamTokenHeader,
                bindingKey: bindingKey
            ),
            tools: tools
        )
    }

    /// A positive Go duration in whole seconds (0 when invalid, with an issue).
    private mutating func duration(_ text: String?, at path: FieldPath) -> Int {
        guard let text else { return 0 }
        guard let seconds = Syntax.parseDuration(text), seconds >= 1 else {
            issues.invalid(path, "\"\(text)\" is not a duration of at least one second", hint: "use a Go duration such as 30m, 24h or 1h30m")
            return 0
        }
        return Int(seconds)
    }
}
