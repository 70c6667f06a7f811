import Foundation
import MCPProxyConfig

extension ProxyRuntime {
    /// The header carrying the upstream credential, if any: a live session's own token
    /// first, else the configured secret. A configured credential that cannot be read
    /// fails the request.
    func upstreamCredential(session: String?, token: String?, tokenExpiry: Date?) async -> Result<(name: String, value: String)?, UpstreamCredentialError> {
        if let session, let file = config.sessions.first(where: { $0.name == session })?.upstreamTokenFile {
            guard let token = secrets.contents(of: file) else { return .failure(.unavailable("the session's upstream token cannot be read")) }
            return .success(Self.credentialHeader(config.session.upstreamTokenHeader, token))
        }
        let header = config.upstream.auth.header ?? "Authorization"
        switch config.upstream.auth.mode {
        case .none:
            return .success(nil)
        case .secret:
            guard let file = config.upstream.auth.secretFile, let secret = secrets.contents(of: file) else {
                return .failure(.unavailable("the upstream credential cannot be read"))
            }
            return .success(Self.credentialHeader(header, secret))
        case .tokenExchange:
            guard let settings = config.upstream.auth.tokenExchange, let exchanger, let token else {
                return .failure(.unavailable("upstream token exchange needs an oauth caller and exchange settings"))
            }
            guard let credentials = clientCredentials(settings.clientID, secretFile: settings.clientSecretFile) else {
                return .failure(.unavailable("the token exchange client secret cannot be read"))
            }
            let request = TokenExchangeRequest(subjectToken: token, subjectExpiry: tokenExpiry, audience: settings.audience, scopes: settings.scopes)
            do {
                let exchanged = try await exchanger.exchange(request, credentials: credentials)
                return .success(Self.credentialHeader(header, exchanged))
            } catch {
                switch error {
                case .refused(let code):
                    return .failure(UpstreamCredentialError(status: 403, code: "token_exchange_refused", reason: "the authorization server refused the token exchange (\(code))"))
                case .unavailable:
                    return .failure(.unavailable("the authorization server cannot exchange the token now"))
                }
            }
        }
    }

    /// `Bearer <value>` in `Authorization`; the bare value in any other header.
    static func credentialHeader(_ name: String, _ value: String) -> (name: String, value: String) {
        let trimmed = trimmed(value)
        return (name: name, value: name.equalsIgnoringASCIICase("authorization") ? "Bearer \(trimmed)" : trimmed)
    }

    /// The proxy's own credentials at the issuer, the secret read from its mounted file now
    /// (so a rotated Secret applies); nil when the file cannot be read.
    func clientCredentials(_ clientID: String, secretFile: String) -> ClientCredentials? {
        secrets.contents(of: secretFile).map { ClientCredentials(clientID: clientID, secret: Self.trimmed($0)) }
    }

    /// A mounted secret without the line break editors and `kubectl create secret` leave.
    static func trimmed(_ secret: String) -> String {
        secret.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// Why no upstream credential can be attached: 503 when a source is unavailable, 403
/// when the authorization server refused to exchange the caller's token.
struct UpstreamCredentialError: Error {
    var status: Int
    var code: String
    var reason: String

    static func unavailable(_ reason: String) -> Self {
        Self(status: 503, code: "upstream_credential_unavailable", reason: reason)
    }
}
