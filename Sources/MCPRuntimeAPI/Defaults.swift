/// Every static default of the API in one place. The CRD schemas carry the same
/// values as `default:` (a test keeps them equal); `defaulted()` applies them the way
/// the API server does: a nested field is defaulted only when its parent object exists.
public enum Defaults {
    public static let imageTag = "latest"
    public static let replicas = 1
    public static let port = 8088
    public static let servicePort = 80

    public static let authMode = AuthMode.header
    public static let humanIDHeader = "X-MCP-Human-ID"
    public static let agentIDHeader = "X-MCP-Agent-ID"
    public static let teamIDHeader = "X-MCP-Team-ID"
    public static let sessionIDHeader = "X-MCP-Agent-Session"
    public static let tokenHeader = "Authorization"
    public static let clockSkewSeconds = 60
    /// Allowed `spec.auth.issuerMaxStalenessSeconds`: at least the proxy's 300 s refresh, at most a week.
    public static let issuerMaxStalenessRange = 300...604_800
    /// Claims tried in order for the caller's team when `auth.teamClaim` is unset.
    public static let teamClaims = ["team_id", "tenant_id", "tid"]

    public static let policyMode = PolicyMode.allowList
    public static let defaultDecision = PolicyDecision.deny
    public static let enforceOn = "call_tool"
    public static let policyVersion = "v1"

    public static let sessionStore = "kubernetes"
    public static let sessionMaxLifetime = "24h"
    public static let sessionIdleTimeout = "1h"
    public static let upstreamTokenHeader = "Authorization"

    public static let gatewayEnabled = true
    public static let gatewayPort = 8091

    public static let rolloutStrategy = RolloutStrategy.rollingUpdate
    public static let maxUnavailable = "25%"
    public static let maxSurge = "25%"

    public static let toolRequiredTrust = TrustLevel.low
    public static let upstreamAuthMode = UpstreamAuthMode.none
    public static let upstreamAuthHeader = "Authorization"

    public static let bindingsFrom = BindingsFrom.same
}

extension MCPServerSpec {
    /// This spec with the static defaults applied, as the API server would store it.
    public func defaulted() -> MCPServerSpec {
        var spec = self
        spec.replicas = replicas ?? Defaults.replicas
        spec.port = port ?? Defaults.port
        spec.servicePort = servicePort ?? Defaults.servicePort
        spec.tools = tools?.map { tool in
            var tool = tool
            tool.requiredTrust = tool.requiredTrust ?? Defaults.toolRequiredTrust.rawValue
            return tool
        }
        spec.auth = auth?.defaulted()
        spec.policy = policy?.defaulted()
        spec.session = session?.defaulted()
        spec.gateway = gateway?.defaulted()
        spec.rollout = rollout?.defaulted()
        spec.upstreamAuth = upstreamAuth?.defaulted()
        spec.bindings = bindings?.defaulted()
        return spec
    }
}

extension AuthConfig {
    public func defaulted() -> AuthConfig {
        var auth = self
        auth.mode = mode ?? Defaults.authMode.rawValue
        auth.humanIDHeader = humanIDHeader ?? Defaults.humanIDHeader
        auth.agentIDHeader = agentIDHeader ?? Defaults.agentIDHeader
        auth.teamIDHeader = teamIDHeader ?? Defaults.teamIDHeader
        auth.sessionIDHeader = sessionIDHeader ?? Defaults.sessionIDHeader
        auth.tokenHeader = tokenHeader ?? Defaults.tokenHeader
        auth.clockSkewSeconds = clockSkewSeconds ?? Defaults.clockSkewSeconds
        return auth
    }
}

extension PolicyConfig {
    public func defaulted() -> PolicyConfig {
        var policy = self
        policy.mode = mode ?? Defaults.policyMode.rawValue
        policy.defaultDecision = defaultDecision ?? Defaults.defaultDecision.rawValue
        policy.enforceOn = enforceOn ?? Defaults.enforceOn
        policy.policyVersion = policyVersion ?? Defaults.policyVersion
        return policy
    }
}

extension SessionConfig {
    public func defaulted() -> SessionConfig {
        var session = self
        session.required = required ?? false
        session.store = store ?? Defaults.sessionStore
        session.headerName = headerName ?? Defaults.sessionIDHeader
        session.maxLifetime = maxLifetime ?? Defaults.sessionMaxLifetime
        session.idleTimeout = idleTimeout ?? Defaults.sessionIdleTimeout
        session.upstreamTokenHeader = upstreamTokenHeader ?? Defaults.upstreamTokenHeader
        return session
    }
}

extension GatewayConfig {
    public func defaulted() -> GatewayConfig {
        var gateway = self
        gateway.enabled = enabled ?? Defaults.gatewayEnabled
        gateway.port = port ?? Defaults.gatewayPort
        return gateway
    }
}

extension RolloutConfig {
    public func defaulted() -> RolloutConfig {
        var rollout = self
        rollout.strategy = strategy ?? Defaults.rolloutStrategy.rawValue
        rollout.maxUnavailable = maxUnavailable ?? Defaults.maxUnavailable
        rollout.maxSurge = maxSurge ?? Defaults.maxSurge
        return rollout
    }
}

extension UpstreamAuthConfig {
    public func defaulted() -> UpstreamAuthConfig {
        var upstream = self
        upstream.mode = mode ?? Defaults.upstreamAuthMode.rawValue
        upstream.header = header ?? Defaults.upstreamAuthHeader
        return upstream
    }
}

extension BindingsConfig {
    public func defaulted() -> BindingsConfig {
        var bindings = self
        bindings.from = from ?? Defaults.bindingsFrom.rawValue
        return bindings
    }
}
