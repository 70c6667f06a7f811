import Foundation
import KubeCore
import MCPProxyConfig
import MCPRuntimeAPI

/// Turns a resolved server and the grants and sessions bound to it into the proxy's
/// configuration. Secret-backed settings become files under the credentials mount.
enum ProxyConfigRenderer {
    static func render(
        server: ResolvedServer, grants: [ResolvedGrant], sessions: [ResolvedAgentSession],
        options: RenderOptions, mounts: inout SecretMounts
    ) -> ProxyConfig {
        let auth = server.auth
        var oauth: ProxyConfig.OAuthSettings?
        if let settings = auth.oauth, let audience = settings.audience {
            oauth = ProxyConfig.OAuthSettings(
                issuer: settings.issuer,
                audience: audience,
                jwksURI: settings.jwksURI,
                requiredScopes: settings.requiredScopes,
                scopesSupported: settings.scopesSupported,
                allowedAlgorithms: settings.allowedAlgorithms,
                clockSkewSeconds: settings.clockSkewSeconds,
                teamClaims: settings.teamClaims,
                introspection: settings.introspection.map {
                    ProxyConfig.Introspection(clientID: $0.clientID, clientSecretFile: mounts.add($0.secret, at: "introspection/client-secret"))
                },
                // Rendered only when set, so configs that do not use them keep their bytes.
                requireAccessTokenType: settings.requireAccessTokenType ? true : nil,
                issuerCache: settings.issuerMaxStalenessSeconds.map { ProxyConfig.IssuerCache(maxStalenessSeconds: $0) }
            )
            oauth?.sessionClaim = settings.sessionClaim
            oauth?.issuerCAFile = settings.issuerCA.map { mounts.add($0, at: "issuer-ca/ca.crt") }
        }
        let isOAuth = auth.mode == .oauth
        var config = ProxyConfig(
            server: .init(name: server.name, namespace: server.namespace, teamID: server.teamID),
            unusable: server.unusableReason,
            resource: .init(
                uri: server.resource?.description,
                path: server.requestPath,
                metadataPath: isOAuth ? server.resource?.metadataPath : nil,
                metadataURL: isOAuth ? server.resource?.metadataURL : nil,
                name: server.description ?? server.name
            ),
            auth: .init(
                mode: auth.mode,
                tokenHeader: auth.tokenHeader,
                identityHeaders: .init(human: auth.humanIDHeader, agent: auth.agentIDHeader, team: auth.teamIDHeader, session: auth.sessionIDHeader),
                allowedOrigins: auth.allowedOrigins,
                oauth: oauth
            ),
            upstream: .init(url: server.gateway.upstreamURL, auth: upstreamAuth(server.upstreamAuth, mounts: &mounts)),
            limits: .init(maxBodyBytes: options.maxBodyBytes),
            policy: .init(mode: server.policy.mode, defaultDecision: server.policy.defaultDecision, version: server.policy.version),
            session: .init(
                required: server.session.required,
                headerName: server.session.headerName,
                maxLifetimeSeconds: server.session.maxLifetimeSeconds,
                idleTimeoutSeconds: server.session.idleTimeoutSeconds,
                upstreamTokenHeader: server.session.upstreamTokenHeader
            ),
            tools: server.tools.map { .init(name: $0.name, requiredTrust: $0.requiredTrust, sideEffect: $0.sideEffect, requiredScopes: $0.requiredScopes) },
            grants: grants.sorted { ($0.namespace, $0.name) < ($1.namespace, $1.name) }.map { grant in
                .init(
                    name: grant.name, namespace: grant.namespace,
                    subject: subject(grant.subject, server: server),
                    maxTrust: grant.maxTrust, allowedSideEffects: grant.allowedSideEffects,
                    policyVersion: grant.policyVersion, disabled: grant.disabled,
                    expiresAt: grant.expiresAt.map(Syntax.formatTimestamp),
                    toolRules: grant.toolRules.map { .init(name: $0.name, decision: $0.decision, requiredTrust: $0.requiredTrust) },
                    resourceRules: grant.resourceRules.map { rule in
                        switch rule.match {
                        case .prefix(let prefix): .init(uriPrefix: prefix, decision: rule.decision)
                        case .pattern(let pattern): .init(uriPattern: pattern.description, decision: rule.decision)
                        }
                    },
                    promptRules: grant.promptRules.map { .init(name: $0.name, decision: $0.decision) }
                )
            },
            sessions: sessions.sorted { ($0.namespace, $0.name) < ($1.namespace, $1.name) }.map { session in
                var tokenFile: String?
                if let token = session.upstreamToken, session.namespace == server.namespace {
                    tokenFile = mounts.add(token, at: "sessions/\(session.name)/token")
                }
                return .init(
                    name: session.name, namespace: session.namespace,
                    subject: subject(session.subject, server: server),
                    consentedTrust: session.consentedTrust,
                    expiresAt: session.expiresAt.map(Syntax.formatTimestamp),
                    revoked: session.revoked, policyVersion: session.policyVersion,
                    upstreamTokenFile: tokenFile, createdAt: session.createdAt.map(Syntax.formatTimestamp)
                )
            }
        )
        config.session.bindingKeyFile = server.session.bindingKey.map { mounts.add($0, at: "session-binding/key") }
        RateLimitRenderer.apply(to: &config, server: server, grants: grants)
        config.revision = config.contentRevision
        return config
    }

    /// A subject whose team is empty gets the server's team.
    private static func subject(_ subject: Subject, server: ResolvedServer) -> ProxyConfig.Subject {
        .init(humanID: subject.humanID, agentID: subject.agentID, teamID: subject.teamID ?? server.teamID)
    }

    private static func upstreamAuth(_ auth: ResolvedUpstreamAuth, mounts: inout SecretMounts) -> ProxyConfig.UpstreamAuth {
        switch auth {
        case .none:
            return .init(mode: .none)
        case .secret(let header, let secret):
            return .init(mode: .secret, header: header, secretFile: mounts.add(secret, at: "upstream/credential"))
        case .tokenExchange(let header, let audience, let scopes, let clientID, let clientSecret):
            let file = mounts.add(clientSecret, at: "token-exchange/client-secret")
            return .init(mode: .tokenExchange, header: header, tokenExchange: .init(audience: audience, scopes: scopes, clientID: clientID, clientSecretFile: file))
        }
    }
}
