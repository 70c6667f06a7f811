import KubeCore
import MCPRuntimeAPI
import Testing

@Suite struct ResolutionTests {
    private func resolved(_ server: MCPServer) throws -> ResolvedServer {
        let resolution = server.resolve()
        #expect(resolution.errors.isEmpty, "\(resolution.errors)")
        return try #require(resolution.server)
    }

    @Test("canonical URI from host and route, by precedence", arguments: [
        ("team-a", nil, "https://mcp.example.com/team-a/mcp"),
        ("/team-a/", nil, "https://mcp.example.com/team-a/mcp"),
        (nil, "/tools/weather/", "https://mcp.example.com/tools/weather"),
        (nil, nil, "https://mcp.example.com/weather/mcp"),
        ("team-a", "/ignored/mcp", "https://mcp.example.com/team-a/mcp"),
    ] as [(String?, String?, String)])
    func canonicalFromRoute(prefix: String?, ingressPath: String?, expected: String) throws {
        let server = try resolved(Fixtures.server { $0.publicPathPrefix = prefix; $0.ingressPath = ingressPath })
        #expect(server.resource?.description == expected)
        #expect(server.requestPath == (try ResourceURI.parse(expected)).path)
    }

    @Test("publicURL wins and is normalized; the ingress routes its path")
    func publicURLWins() throws {
        let server = try resolved(Fixtures.server { $0.publicURL = "HTTPS://MCP.Example.com:443/Team-A/mcp/" })
        #expect(server.resource?.description == "https://mcp.example.com/Team-A/mcp")
        #expect(server.requestPath == "/Team-A/mcp")
        #expect(server.ingress?.host == "mcp.example.com")
    }

    @Test("uppercase ingress hosts are lowercased")
    func uppercaseHost() throws {
        let server = try resolved(Fixtures.server { $0.ingressHost = "MCP.Example.COM" })
        #expect(server.resource?.description == "https://mcp.example.com/team-a/mcp")
        #expect(server.ingress?.host == "mcp.example.com")
    }

    @Test("oauth: the audience defaults to the canonical URI; scopes and algorithms to safe defaults")
    func oauthDefaults() throws {
        let server = try resolved(Fixtures.oauthServer())
        let oauth = try #require(server.auth.oauth)
        #expect(oauth.audience == "https://mcp.example.com/team-a/mcp")
        #expect(oauth.scopesSupported == ["mcp:tools"])
        #expect(oauth.allowedAlgorithms == SigningAlgorithm.allCases)
        #expect(oauth.clockSkewSeconds == 60)
        #expect(oauth.teamClaims == ["team_id", "tenant_id", "tid"])
        #expect(!oauth.requireAccessTokenType && oauth.issuerMaxStalenessSeconds == nil)
        #expect(oauth.issuerCA == nil, "the system store unless a CA is named")
        #expect(server.auth.allowedOrigins == ["https://mcp.example.com"])
        #expect(server.unusableReason == nil)
    }

    @Test("oauth: issuerCASecretRef resolves to the Secret key the proxy trusts for the issuer")
    func issuerCA() throws {
        let withCA = Fixtures.oauthServer { $0.auth?.issuerCASecretRef = SecretKeyRef(name: "corp-root-ca", key: "ca.crt") }
        let issues = withCA.validate()
        #expect(issues.isEmpty, "\(issues)")
        #expect(try resolved(withCA).auth.oauth?.issuerCA == SecretRef(name: "corp-root-ca", key: "ca.crt"))
    }

    @Test("oauth with only an audience uses it as the resource URI")
    func audienceOnly() throws {
        let server = try resolved(Fixtures.oauthServer { $0.ingressHost = nil; $0.auth?.audience = "https://mcp.internal.example.com/weather" })
        #expect(server.resource?.description == "https://mcp.internal.example.com/weather")
        #expect(server.auth.oauth?.audience == "https://mcp.internal.example.com/weather")
        #expect(server.ingress == nil)
    }

    @Test("oauth with no resource URI at all fails closed instead of accepting any audience")
    func failClosed() throws {
        let resolution = Fixtures.oauthServer { $0.ingressHost = nil }.resolve()
        #expect(resolution.errors.map(\.reason) == [.unresolvableAudience])
        let server = try #require(resolution.server, "a fail-closed server still renders, so that its proxy refuses requests")
        #expect(server.unusableReason != nil)
        #expect(server.auth.oauth?.audience == nil)
        #expect(server.resource == nil)
    }

    @Test("any other error blocks rendering")
    func errorsBlock() {
        #expect(Fixtures.server { $0.image = nil }.resolve().server == nil)
    }

    @Test("image references: default tag, explicit tag, digest, registry override", arguments: [
        ("acme/weather", nil, nil, "acme/weather:latest"),
        ("acme/weather", "1.2", nil, "acme/weather:1.2"),
        ("registry.local:5000/acme/weather", nil, nil, "registry.local:5000/acme/weather:latest"),
        ("acme/weather@sha256:abc", nil, nil, "acme/weather@sha256:abc"),
        ("ghcr.io/acme/weather:1.0", nil, "mirror.example.com", "mirror.example.com/acme/weather:1.0"),
        ("acme/weather:1.0", nil, "mirror.example.com/", "mirror.example.com/acme/weather:1.0"),
    ] as [(String, String?, String?, String)])
    func imageReference(image: String, tag: String?, registry: String?, expected: String) throws {
        let server = try resolved(Fixtures.server { $0.image = image; $0.imageTag = tag; $0.registryOverride = registry })
        #expect(server.image == expected)
    }

    @Test("upstream URL: default Service, stripPrefix, explicit URL with and without a path", arguments: [
        (nil, nil, "http://weather-server.team-a.svc:80/team-a/mcp"),
        ("/team-a", nil, "http://weather-server.team-a.svc:80/mcp"),
        ("/team-a/mcp", nil, "http://weather-server.team-a.svc:80/"),
        (nil, "http://legacy.tools.svc:9000", "http://legacy.tools.svc:9000/team-a/mcp"),
        ("team-a", "http://legacy.tools.svc:9000/", "http://legacy.tools.svc:9000/mcp"),
        (nil, "http://legacy.tools.svc:9000/rpc", "http://legacy.tools.svc:9000/rpc"),
    ] as [(String?, String?, String)])
    func upstreamURL(stripPrefix: String?, upstreamURL: String?, expected: String) throws {
        let server = try resolved(Fixtures.server { spec in
            var gateway = GatewayConfig()
            gateway.stripPrefix = stripPrefix
            gateway.upstreamURL = upstreamURL
            spec.gateway = gateway
        })
        #expect(server.gateway.upstreamURL == expected)
    }

    @Test("auth defaults: no auth block is none; an auth block without mode is header")
    func authModeDefaults() throws {
        #expect(try resolved(Fixtures.server()).auth.mode == .none)
        #expect(try resolved(Fixtures.server { $0.auth = AuthConfig() }).auth.mode == .header)
    }

    @Test("gateway can be disabled only without auth")
    func gatewayDisabled() throws {
        let server = try resolved(Fixtures.server { $0.gateway = GatewayConfig(enabled: false) })
        #expect(!server.gateway.enabled)
    }

    @Test("session durations and policy defaults")
    func governanceDefaults() throws {
        let server = try resolved(Fixtures.server { var s = SessionConfig(required: true); s.maxLifetime = "1h30m"; $0.session = s })
        #expect(server.session.required)
        #expect(server.session.maxLifetimeSeconds == 5400)
        #expect(server.session.idleTimeoutSeconds == 3600)
        #expect(server.policy.mode == .allowList)
        #expect(server.policy.defaultDecision == .deny)
        #expect(server.policy.version == "v1")
        #expect(server.tools.map(\.name) == ["get_forecast"])
        #expect(server.tools.map(\.requiredTrust) == [.low])
        #expect(server.tools.map(\.sideEffect) == [.read])
    }

    @Test("upstream credentials resolve to exactly one mechanism")
    func upstreamAuth() throws {
        let secret = try resolved(Fixtures.server { var u = UpstreamAuthConfig(mode: "secret"); u.secretRef = SecretKeyRef(name: "up", key: "token"); $0.upstreamAuth = u })
        #expect(secret.upstreamAuth == .secret(header: "Authorization", secret: SecretRef(name: "up", key: "token")))
        let exchange = try resolved(Fixtures.oauthServer { spec in
            var u = UpstreamAuthConfig(mode: "tokenExchange")
            u.tokenExchange = TokenExchangeConfig(audience: "https://weather-api.internal", clientID: "proxy", clientSecretRef: SecretKeyRef(name: "proxy-client", key: "secret"))
            spec.upstreamAuth = u
        })
        #expect(exchange.upstreamAuth == .tokenExchange(header: "Authorization", audience: "https://weather-api.internal", scopes: [], clientID: "proxy", clientSecret: SecretRef(name: "proxy-client", key: "secret")))
    }
}
