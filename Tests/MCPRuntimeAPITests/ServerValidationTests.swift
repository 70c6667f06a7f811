import KubeCore
import MCPRuntimeAPI
import Testing

/// One rule: a server with one mistake and the issue it must produce.
struct RuleCase: Sendable, CustomTestStringConvertible {
    var rule: String
    var server: MCPServer
    var path: String
    var reason: ValidationIssue.Reason
    var message: String
    var severity: ValidationIssue.Severity = .error
    var testDescription: String { rule }
}

@Suite struct ServerValidationTests {
    static func spec(_ rule: String, _ path: String, _ reason: ValidationIssue.Reason, _ message: String, severity: ValidationIssue.Severity = .error, oauth: Bool = false, _ change: @escaping (inout MCPServerSpec) -> Void) -> RuleCase {
        RuleCase(rule: rule, server: oauth ? Fixtures.oauthServer(change) : Fixtures.server(change), path: path, reason: reason, message: message, severity: severity)
    }

    static func named(_ name: String) -> MCPServer {
        var server = Fixtures.server()
        server.metadata.name = name
        return server
    }

    static let cases: [RuleCase] = [
        RuleCase(rule: "name is required", server: named(""), path: "metadata.name", reason: .required, message: "name is required"),
        RuleCase(rule: "name must suit Services", server: named("Weather_Tools"), path: "metadata.name", reason: .invalid, message: "cannot name the generated Services"),
        RuleCase(rule: "name leaves room for suffixes", server: named(String(repeating: "a", count: 57)), path: "metadata.name", reason: .invalid, message: "cannot name the generated Services"),
        spec("image is required", "spec.image", .required, "image is required") { $0.image = nil },
        spec("image without whitespace", "spec.image", .invalid, "contains whitespace") { $0.image = "acme/weather mcp" },
        spec("imageTag is a tag", "spec.imageTag", .invalid, "is not a valid image tag") { $0.image = "acme/weather"; $0.imageTag = "1.0:x" },
        spec("imageTag beside a tagged image", "spec.imageTag", .invalid, "ignored because spec.image already names a tag", severity: .warning) { $0.imageTag = "2.0" },
        spec("teamID without whitespace", "spec.teamID", .invalid, "stable identifier") { $0.teamID = "team a" },
        spec("port in range", "spec.port", .invalid, "port 0 is out of range") { $0.port = 0 },
        spec("servicePort in range", "spec.servicePort", .invalid, "port 70000 is out of range") { $0.servicePort = 70000 },
        spec("replicas not negative", "spec.replicas", .invalid, "must be 0 or more") { $0.replicas = -1 },
        spec("pull secrets are Secret names", "spec.imagePullSecrets[0]", .invalid, "is not a valid Secret name") { $0.imagePullSecrets = ["Bad Secret"] },
        spec("quantities", "spec.resources.limits.cpu", .invalid, "is not a Kubernetes quantity") { $0.resources = ComputeResources(limits: ResourceList(cpu: "two")) },
        spec("env names required", "spec.envVars[0].name", .required, "needs a name") { $0.envVars = [EnvVarSpec(value: "x")] },
        spec("env names valid", "spec.envVars[0].name", .invalid, "is not a valid environment variable name") { $0.envVars = [EnvVarSpec(name: "1BAD", value: "x")] },
        spec("env names unique", "spec.envVars[1].name", .duplicate, "duplicate environment variable \"LOG\"") {
            $0.envVars = [EnvVarSpec(name: "LOG", value: "a")]
            $0.secretEnvVars = [SecretEnvVarSpec(name: "LOG", secretKeyRef: SecretKeyRef(name: "s", key: "k"))]
        },
        spec("secret env needs a reference", "spec.secretEnvVars[0].secretKeyRef", .required, "a Secret reference {name, key} is required") { $0.secretEnvVars = [SecretEnvVarSpec(name: "TOKEN")] },
        spec("secret env needs a key", "spec.secretEnvVars[0].secretKeyRef.key", .required, "the key within the Secret is required") { $0.secretEnvVars = [SecretEnvVarSpec(name: "TOKEN", secretKeyRef: SecretKeyRef(name: "s"))] },
        spec("rollout strategy", "spec.rollout.strategy", .notSupported, "unsupported value \"BlueGreen\"") { $0.rollout = RolloutConfig(strategy: "BlueGreen") },
        spec("rollout surge", "spec.rollout.maxSurge", .invalid, "neither a whole number nor a percentage") { var r = RolloutConfig(); r.maxSurge = "lots"; $0.rollout = r },
        spec("canary needs canaryReplicas", "spec.rollout.canaryReplicas", .required, "greater than 0") { $0.rollout = RolloutConfig(strategy: "Canary") },
        spec("canary below replicas", "spec.rollout.canaryReplicas", .invalid, "must be less than spec.replicas (2)") { var r = RolloutConfig(strategy: "Canary"); r.canaryReplicas = 2; $0.rollout = r; $0.replicas = 2 },
        spec("publicPathPrefix has content", "spec.publicPathPrefix", .invalid, "is not a usable path prefix") { $0.publicPathPrefix = "//" },
        spec("ingressPath absolute", "spec.ingressPath", .invalid, "is not a usable route path") { $0.publicPathPrefix = nil; $0.ingressPath = "weather/mcp" },
        spec("ingressPath without query", "spec.ingressPath", .invalid, "is not a usable route path") { $0.publicPathPrefix = nil; $0.ingressPath = "/weather/mcp?x=1" },
        spec("ingressHost is a host", "spec.ingressHost", .invalid, "is not a DNS host name") { $0.ingressHost = "https://mcp.example.com" },
        spec("publicURL without query", "spec.publicURL", .invalid, "must not have a query") { $0.publicURL = "https://mcp.example.com/mcp?team=a" },
        spec("publicURL https unless loopback", "spec.publicURL", .invalid, "http is allowed only for loopback hosts") { $0.publicURL = "http://mcp.example.com/mcp" },
        spec("publicURL and ingressHost agree", "spec.ingressHost", .invalid, "differs from the host of spec.publicURL", severity: .warning) { $0.publicURL = "https://other.example.com/mcp" },
        spec("ingressClass name", "spec.ingressClass", .invalid, "is not a valid IngressClass name") { $0.ingressClass = "Nginx Class" },
        spec("auth mode", "spec.auth.mode", .notSupported, "unsupported value \"mtls\"") { $0.auth = AuthConfig(mode: "mtls") },
        spec("header names", "spec.auth.humanIDHeader", .invalid, "is not a valid HTTP header name") { var a = AuthConfig(mode: "header"); a.humanIDHeader = "X Human"; $0.auth = a },
        spec("origins", "spec.auth.allowedOrigins[0]", .invalid, "is not an origin") { var a = AuthConfig(mode: "header"); a.allowedOrigins = ["https://app.example.com/chat"]; $0.auth = a },
        spec("oauth-only fields outside oauth", "spec.auth.issuerURL", .invalid, "ignored because spec.auth.mode is not oauth", severity: .warning) { $0.auth = AuthConfig(mode: "header", issuerURL: "https://auth.example.com") },
        spec("oauth needs issuerURL", "spec.auth.issuerURL", .required, "needs the authorization server's issuer", oauth: true) { $0.auth?.issuerURL = nil },
        spec("issuerURL https", "spec.auth.issuerURL", .invalid, "http is allowed only for loopback hosts", oauth: true) { $0.auth?.issuerURL = "http://auth.example.com" },
        spec("audience is an absolute URI", "spec.auth.audience", .invalid, "is not an absolute URI without a fragment", oauth: true) { $0.auth?.audience = "weather" },
        spec("audience other than the canonical URI", "spec.auth.audience", .invalid, "differs from the canonical resource URI", severity: .warning, oauth: true) { $0.auth?.audience = "https://api.example.com/weather" },
        spec("oauth without any resource URI fails closed", "spec.auth.audience", .unresolvableAudience, "needs a resource URI to bind tokens to", oauth: true) { $0.ingressHost = nil },
        spec("scopes are scope tokens", "spec.auth.requiredScopes[0]", .invalid, "is not an OAuth scope", oauth: true) { $0.auth?.requiredScopes = ["mcp tools"] },
        spec("scopes unique", "spec.auth.scopesSupported[1]", .duplicate, "duplicate scope", oauth: true) { $0.auth?.scopesSupported = ["a", "a"] },
        spec("no HS algorithms", "spec.auth.allowedAlgorithms[0]", .forbidden, "\"HS256\" is not allowed", oauth: true) { $0.auth?.allowedAlgorithms = ["HS256"] },
        spec("no alg none", "spec.auth.allowedAlgorithms[0]", .forbidden, "\"none\" is not allowed", oauth: true) { $0.auth?.allowedAlgorithms = ["none"] },
        spec("known algorithms", "spec.auth.allowedAlgorithms[0]", .notSupported, "unsupported value \"RS1\"", oauth: true) { $0.auth?.allowedAlgorithms = ["RS1"] },
        spec("jwksURI https", "spec.auth.jwksURI", .invalid, "http is allowed only for loopback hosts", oauth: true) { $0.auth?.jwksURI = "http://auth.example.com/jwks" },
        spec("introspection client id", "spec.auth.introspection.clientID", .required, "needs the proxy's client id", oauth: true) { $0.auth?.introspection = IntrospectionConfig(clientSecretRef: SecretKeyRef(name: "s", key: "k")) },
        spec("introspection secret", "spec.auth.introspection.clientSecretRef", .required, "a Secret reference", oauth: true) { $0.auth?.introspection = IntrospectionConfig(clientID: "proxy") },
        spec("clock skew bounded", "spec.auth.clockSkewSeconds", .invalid, "between 0 and 300", oauth: true) { $0.auth?.clockSkewSeconds = 3600 },
        spec("team claim", "spec.auth.teamClaim", .invalid, "is not a claim name", oauth: true) { $0.auth?.teamClaim = "team id" },
        spec("issuer staleness at least the refresh", "spec.auth.issuerMaxStalenessSeconds", .invalid, "between 300 and 604800", oauth: true) { $0.auth?.issuerMaxStalenessSeconds = 60 },
        spec("issuer staleness at most a week", "spec.auth.issuerMaxStalenessSeconds", .invalid, "between 300 and 604800", oauth: true) { $0.auth?.issuerMaxStalenessSeconds = 604_801 },
        spec("issuer CA outside oauth", "spec.auth.issuerCASecretRef", .invalid, "ignored because spec.auth.mode is not oauth", severity: .warning) {
            var a = AuthConfig(mode: "header"); a.issuerCASecretRef = SecretKeyRef(name: "issuer-ca", key: "ca.crt"); $0.auth = a
        },
        spec("issuer CA needs a name", "spec.auth.issuerCASecretRef.name", .required, "the Secret's name is required", oauth: true) { $0.auth?.issuerCASecretRef = SecretKeyRef(key: "ca.crt") },
        spec("issuer CA needs a key", "spec.auth.issuerCASecretRef.key", .required, "the key within the Secret is required", oauth: true) { $0.auth?.issuerCASecretRef = SecretKeyRef(name: "issuer-ca") },
        spec("issuer CA Secret name", "spec.auth.issuerCASecretRef.name", .invalid, "is not a valid Secret name", oauth: true) { $0.auth?.issuerCASecretRef = SecretKeyRef(name: "Issuer CA", key: "ca.crt") },
        spec("issuer CA checked when the server fails closed", "spec.auth.issuerCASecretRef.key", .required, "the key within the Secret is required", oauth: true) {
            $0.ingressHost = nil; $0.auth?.audience = "weather"; $0.auth?.issuerCASecretRef = SecretKeyRef(name: "issuer-ca", key: "")
        },
        spec("typ requirement outside oauth", "spec.auth.requireAccessTokenType", .invalid, "ignored because spec.auth.mode is not oauth", severity: .warning) { var a = AuthConfig(mode: "header"); a.requireAccessTokenType = true; $0.auth = a },
        spec("the proxy stays on for auth", "spec.gateway.enabled", .forbidden, "cannot be disabled", oauth: true) { $0.gateway = GatewayConfig(enabled: false) },
        spec("gateway port differs from port", "spec.gateway.port", .invalid, "must differ from spec.port") { $0.port = 8091 },
        spec("gateway image", "spec.gateway.image", .invalid, "is not an image reference") { var g = GatewayConfig(); g.image = "mcp proxy"; $0.gateway = g },
        spec("stripPrefix is a prefix", "spec.gateway.stripPrefix", .invalid, "is not a prefix of the route path /team-a/mcp") { var g = GatewayConfig(); g.stripPrefix = "/team-b"; $0.gateway = g },
        spec("upstreamURL is http(s)", "spec.gateway.upstreamURL", .invalid, "is not an http(s) URL") { var g = GatewayConfig(); g.upstreamURL = "tcp://weather:80"; $0.gateway = g },
        spec("upstream header", "spec.upstreamAuth.header", .invalid, "is not a valid HTTP header name") { var u = UpstreamAuthConfig(mode: "secret"); u.header = "Bad Header"; u.secretRef = SecretKeyRef(name: "s", key: "k"); $0.upstreamAuth = u },
        spec("upstream secret needs secretRef", "spec.upstreamAuth.secretRef", .required, "a Secret reference") { $0.upstreamAuth = UpstreamAuthConfig(mode: "secret") },
        spec("token exchange needs oauth", "spec.upstreamAuth.mode", .forbidden, "needs spec.auth.mode: oauth") {
            var u = UpstreamAuthConfig(mode: "tokenExchange")
            u.tokenExchange = TokenExchangeConfig(audience: "https://upstream", clientID: "proxy", clientSecretRef: SecretKeyRef(name: "s", key: "k"))
            $0.upstreamAuth = u
        },
        spec("token exchange block", "spec.upstreamAuth.tokenExchange", .required, "is required for mode tokenExchange", oauth: true) { $0.upstreamAuth = UpstreamAuthConfig(mode: "tokenExchange") },
        spec("token exchange audience", "spec.upstreamAuth.tokenExchange.audience", .required, "audience of the exchanged token", oauth: true) {
            var u = UpstreamAuthConfig(mode: "tokenExchange")
            u.tokenExchange = TokenExchangeConfig(clientID: "proxy", clientSecretRef: SecretKeyRef(name: "s", key: "k"))
            $0.upstreamAuth = u
        },
        spec("upstream none ignores credentials", "spec.upstreamAuth.mode", .invalid, "ignored while the mode is none", severity: .warning) { var u = UpstreamAuthConfig(mode: "none"); u.secretRef = SecretKeyRef(name: "s", key: "k"); $0.upstreamAuth = u },
        spec("policy mode", "spec.policy.mode", .notSupported, "unsupported value \"audit\"") { $0.policy = PolicyConfig(mode: "audit") },
        spec("default decision", "spec.policy.defaultDecision", .notSupported, "unsupported value \"maybe\"") { $0.policy = PolicyConfig(defaultDecision: "maybe") },
        spec("policy version", "spec.policy.policyVersion", .invalid, "is not a policy version") { $0.policy = PolicyConfig(policyVersion: "version 2") },
        spec("session lifetime", "spec.session.maxLifetime", .invalid, "is not a duration") { var s = SessionConfig(); s.maxLifetime = "one day"; $0.session = s },
        spec("session header", "spec.session.headerName", .invalid, "is not a valid HTTP header name") { var s = SessionConfig(); s.headerName = "X Session"; $0.session = s },
        spec("tool name", "spec.tools[0].name", .required, "needs its MCP name") { $0.tools = [ToolConfig(sideEffect: "read")] },
        spec("tool names unique", "spec.tools[1].name", .duplicate, "duplicate tool name \"get_forecast\"") { $0.tools = [ToolConfig(name: "get_forecast", sideEffect: "read"), ToolConfig(name: "get_forecast", sideEffect: "write")] },
        spec("tool side effect required", "spec.tools[0].sideEffect", .required, "needs a side effect") { $0.tools = [ToolConfig(name: "t")] },
        spec("tool side effect valid", "spec.tools[0].sideEffect", .notSupported, "unsupported value \"explosive\"") { $0.tools = [ToolConfig(name: "t", sideEffect: "explosive")] },
        spec("tool trust valid", "spec.tools[0].requiredTrust", .notSupported, "unsupported value \"extreme\"") { $0.tools = [ToolConfig(name: "t", sideEffect: "read", requiredTrust: "extreme")] },
        spec("tool scopes", "spec.tools[0].requiredScopes[0]", .invalid, "is not an OAuth scope") { $0.tools = [ToolConfig(name: "t", sideEffect: "read", requiredScopes: ["a\"b"])] },
        spec("analytics is not applied", "spec.analytics", .invalid, "is ignored", severity: .warning) { $0.analytics = AnalyticsConfig() },
        spec("tool risk level", "spec.tools[0].riskLevel", .notSupported, "unsupported value \"extreme\"") { var t = ToolConfig(name: "t", sideEffect: "read"); t.riskLevel = "extreme"; $0.tools = [t] },
        spec("algorithms unique", "spec.auth.allowedAlgorithms[1]", .duplicate, "duplicate algorithm", oauth: true) { $0.auth?.allowedAlgorithms = ["RS256", "RS256"] },
        spec("session idle timeout", "spec.session.idleTimeout", .invalid, "is not a duration") { var s = SessionConfig(); s.idleTimeout = "0s"; $0.session = s },
        spec("no provisioned registry", "spec.useProvisionedRegistry", .invalid, "no provisioned registry", severity: .warning) { $0.useProvisionedRegistry = true },
        spec("session store is Kubernetes", "spec.session.store", .invalid, "is ignored", severity: .warning) { var s = SessionConfig(); s.store = "redis"; $0.session = s },
        spec("enforceOn other than call_tool", "spec.policy.enforceOn", .invalid, "is ignored", severity: .warning) { var p = PolicyConfig(); p.enforceOn = "all"; $0.policy = p },
        spec("header mode without trusted sources", "spec.auth.trustedSources", .invalid, "trusts identity headers from every pod that can reach the proxy", severity: .warning) { $0.auth = AuthConfig(mode: "header") },
        spec("trusted sources outside header mode", "spec.auth.trustedSources", .invalid, "ignored because spec.auth.mode is not header", severity: .warning, oauth: true) {
            $0.auth?.trustedSources = [TrustedSource(podSelector: LabelSelector(matchLabels: ["app": "sso"]))]
        },
        spec("a trusted source selects something", "spec.auth.trustedSources[0]", .required, "needs a podSelector, a namespaceSelector or both") { var a = AuthConfig(mode: "header"); a.trustedSources = [TrustedSource()]; $0.auth = a },
        spec("a trusted source is not every pod", "spec.auth.trustedSources[0].namespaceSelector", .forbidden, "admits every pod in the cluster") {
            var a = AuthConfig(mode: "header")
            a.trustedSources = [TrustedSource(namespaceSelector: LabelSelector(), podSelector: LabelSelector(matchLabels: [:]))]
            $0.auth = a
        },
        spec("trusted source selectors are valid", "spec.auth.trustedSources[0].podSelector.matchExpressions[0].values", .required, "NotIn needs at least one value") {
            var a = AuthConfig(mode: "header")
            a.trustedSources = [TrustedSource(podSelector: LabelSelector(matchExpressions: [LabelSelectorRequirement(key: "app", operator: "NotIn")]))]
            $0.auth = a
        },
        spec("bindings from", "spec.bindings.from", .notSupported, "unsupported value \"Everyone\"") { $0.bindings = BindingsConfig(from: "Everyone") },
        spec("bindings Selector names someone", "spec.bindings", .required, "needs spec.bindings.namespaces or spec.bindings.namespaceSelector") { $0.bindings = BindingsConfig(from: "Selector", namespaces: []) },
        spec("bindings namespaces only with Selector", "spec.bindings.namespaces", .invalid, "used only with spec.bindings.from: Selector, and from is Same") { $0.bindings = BindingsConfig(namespaces: ["team-b"]) },
        spec("bindings selector only with Selector", "spec.bindings.namespaceSelector", .invalid, "used only with spec.bindings.from: Selector, and from is All") { $0.bindings = BindingsConfig(from: "All", namespaceSelector: LabelSelector(matchLabels: ["a": "b"])) },
        spec("bindings namespaces are names", "spec.bindings.namespaces[0]", .invalid, "is not a namespace name") { $0.bindings = BindingsConfig(from: "Selector", namespaces: ["Team_B"]) },
        spec("bindings namespaces unique", "spec.bindings.namespaces[1]", .duplicate, "duplicate namespace \"team-b\"") { $0.bindings = BindingsConfig(from: "Selector", namespaces: ["team-b", "team-b"]) },
        spec("bindings selector not empty", "spec.bindings.namespaceSelector", .invalid, "an empty selector matches every namespace") { $0.bindings = BindingsConfig(from: "Selector", namespaceSelector: LabelSelector(matchLabels: [:])) },
        spec("selector label keys", "spec.bindings.namespaceSelector.matchLabels.-bad", .invalid, "is not a label key") { $0.bindings = BindingsConfig(from: "Selector", namespaceSelector: LabelSelector(matchLabels: ["-bad": "x"])) },
        spec("selector label values", "spec.bindings.namespaceSelector.matchLabels.team", .invalid, "is not a label value") { $0.bindings = BindingsConfig(from: "Selector", namespaceSelector: LabelSelector(matchLabels: ["team": "a b"])) },
        spec("selector operators", "spec.bindings.namespaceSelector.matchExpressions[0].operator", .notSupported, "unsupported value \"Equals\"") {
            $0.bindings = BindingsConfig(from: "Selector", namespaceSelector: LabelSelector(matchExpressions: [LabelSelectorRequirement(key: "team", operator: "Equals", values: ["b"])]))
        },
        spec("selector In needs values", "spec.bindings.namespaceSelector.matchExpressions[0].values", .required, "In needs at least one value") {
            $0.bindings = BindingsConfig(from: "Selector", namespaceSelector: LabelSelector(matchExpressions: [LabelSelectorRequirement(key: "team", operator: "In")]))
        },
        spec("selector Exists takes no values", "spec.bindings.namespaceSelector.matchExpressions[0].values", .invalid, "Exists takes no values") {
            $0.bindings = BindingsConfig(from: "Selector", namespaceSelector: LabelSelector(matchExpressions: [LabelSelectorRequirement(key: "team", operator: "Exists", values: ["b"])]))
        },
    ]

    @Test("each rule reports its field, reason and message", arguments: cases)
    func rule(_ rule: RuleCase) {
        let issues = rule.server.validate()
        let matching = issues.filter { $0.path.description == rule.path && $0.severity == rule.severity }
        #expect(matching.count == 1, "issues: \(issues)")
        guard let issue = matching.first else { return }
        #expect(issue.reason == rule.reason)
        #expect(issue.message.contains(rule.message), "message: \(issue.message)")
    }

    @Test("the fixtures are valid")
    func fixturesAreValid() {
        #expect(Fixtures.server().validate().isEmpty)
        #expect(Fixtures.oauthServer().validate().isEmpty)
    }

    @Test("every problem is reported at once")
    func allProblems() {
        let server = Fixtures.oauthServer { spec in
            spec.image = nil
            spec.port = 0
            spec.auth?.issuerURL = nil
            spec.tools = [ToolConfig(name: "t")]
        }
        let paths = Set(server.validate().filter { $0.severity == .error }.map(\.path.description))
        #expect(paths == ["spec.image", "spec.port", "spec.auth.issuerURL", "spec.tools[0].sideEffect"])
    }

    @Test("every issue names a field and says what is wrong")
    func issuesNameAField() {
        for rule in Self.cases {
            for issue in rule.server.validate() {
                #expect(!issue.message.isEmpty)
                #expect(!issue.path.components.isEmpty)
            }
        }
    }
}
