import Foundation
import KubeCore
import MCPAuth
import MCPPolicy
import MCPProxyConfig
import MCPTokenVerification

/// The result of one request: what to do, and the audit line when a decision was made.
public struct PipelineResult: Sendable {
    public var outcome: PipelineOutcome
    public var audit: AuditRecord?
}

extension ProxyRuntime {
    /// Decides one request: fail closed when unusable; PRM or 404 by path; 405 for a
    /// method the endpoint does not answer, 400 for a body on one that carries none; Origin;
    /// authentication by mode; for POST the JSON-RPC message (413, batch and non-JSON
    /// refused); required and tool scopes (403 `insufficient_scope`); governance for
    /// `tools/call`; then the sanitized headers with identity and upstream credentials.
    public func handle(_ request: InboundRequest, now: Date = Date()) async -> PipelineResult {
        var result = await decide(request, now: now)
        // CORS for browser clients whose Origin is allowed, on every answer of the endpoint.
        let origin = request.values("Origin")
        if request.path == config.resource.path, origin.count == 1, self.origins.allows(origin[0]) {
            let cors = Self.corsHeaders(origin: origin[0])
            switch result.outcome {
            case .respond(var response):
                response.headers.removeAll { $0.name.equalsIgnoringASCIICase("access-control-expose-headers") }
                response.headers += cors
                result.outcome = .respond(response)
            case .forward(var plan):
                plan.responseHeaders += cors
                result.outcome = .forward(plan)
            }
        }
        return result
    }

    static func corsHeaders(origin: String) -> [(name: String, value: String)] {
        [
            (name: "Access-Control-Allow-Origin", value: origin), (name: "Vary", value: "Origin"),
            (name: "Access-Control-Expose-Headers", value: "WWW-Authenticate, Mcp-Session-Id, MCP-Protocol-Version, Retry-After"),
        ]
    }

    /// The decisions that need no body: whether the proxy is usable, the path, the method,
    /// the Origin, a CORS preflight. Nil when the request goes on; the caller reads a POST's
    /// body only then.
    public func decisionBeforeBody(_ request: InboundRequest) -> PipelineResult? {
        let audit = AuditRecord(decision: "deny", reason: "", status: 0, policyVersion: config.policy.version, revision: config.revision)
        if let reason = config.unusable {
            return Self.finish(Responses.plain(503, "server_unusable", reason), "server_unusable", audit)
        }
        if let metadataPath = config.resource.metadataPath, request.path == metadataPath {
            return PipelineResult(outcome: .respond(metadataResponse(request)), audit: nil)
        }
        guard request.path == config.resource.path else {
            return PipelineResult(outcome: .respond(Responses.plain(404, "not_found", "no MCP endpoint at this path")), audit: nil)
        }
        // A closed set of methods: a body only on POST, nothing the upstream's framing may
        // read differently from the proxy's.
        guard Self.endpointMethods.contains(request.method) else {
            var response = Responses.plain(405, "method_not_allowed", "the MCP endpoint answers \(Self.endpointMethods.joined(separator: ", "))")
            response.headers.append((name: "Allow", value: Self.endpointMethods.joined(separator: ", ")))
            return Self.finish(response, "method_not_allowed", audit)
        }
        if request.method != "POST", request.declaresBody {
            return Self.finish(Responses.plain(400, "invalid_request", "a \(request.method) request to the MCP endpoint has no body"), "body_not_allowed", audit)
        }
        let origins = request.values("Origin")
        guard origins.count <= 1, self.origins.allows(origins.first) else {
            return Self.finish(Responses.plain(403, "origin_not_allowed", "the Origin of this request is not allowed"), "origin_not_allowed", audit)
        }
        if request.method == "OPTIONS" {
            // A CORS preflight carries no credentials; it is answered here, never forwarded.
            return PipelineResult(outcome: .respond(preflightResponse(request)), audit: nil)
        }
        return nil
    }

    /// What the MCP endpoint answers (Streamable HTTP): messages, the server's event
    /// stream, the end of a session, and CORS preflights, which the proxy answers itself.
    public static let endpointMethods = ["GET", "POST", "DELETE", "OPTIONS"]

    private func decide(_ request: InboundRequest, now: Date) async -> PipelineResult {
        if let early = decisionBeforeBody(request) { return early }
        var audit = AuditRecord(decision: "deny", reason: "", status: 0, policyVersion: config.policy.version, revision: config.revision)

        // Authentication.
        var caller = CallerIdentity()
        var grantedScopes: Set<String> = []
        var callerToken: String?
        var callerTokenExpiry: Date?
        // An identity or session header given twice is ambiguous (a gateway that appends
        // its value after a client's would lose to it): refused, never guessed.
        let identity = config.auth.identityHeaders
        let named = config.auth.mode == .header ? [identity.human, identity.agent, identity.team, identity.session, config.session.headerName] : [config.session.headerName]
        if let repeated = named.first(where: { request.values($0).count > 1 }) {
            return Self.finish(Responses.plain(400, "invalid_request", "\(repeated) appears more than once"), "ambiguous_identity", audit)
        }
        let sessionHeader = request.values(config.session.headerName).first
        switch config.auth.mode {
        case .oauth:
            let credential = CredentialExtractor.extract(headers: request.headers, tokenHeader: config.auth.tokenHeader, query: request.query)
            audit.tokenFingerprint = credential.fingerprint
            callerToken = credential.token
            switch await authenticate(credential, now: now) {
            case .failure(let response): return Self.finish(response.0, response.1, audit)
            case .success(let claims):
                let identity = claims.identity(teamClaims: config.auth.oauth?.teamClaims ?? [], sessionClaim: config.auth.oauth?.sessionClaim)
                caller = CallerIdentity(humanID: identity.human, agentID: identity.agent, teamID: identity.team, sessionID: identity.session ?? sessionHeader)
                grantedScopes = claims.scopes
                callerTokenExpiry = TokenVerifier.seconds(claims.claims["exp"]).map(Date.init(timeIntervalSince1970:))
            }
        case .header:
            let headers = identity
            caller = CallerIdentity(
                humanID: request.values(headers.human).first, agentID: request.values(headers.agent).first,
                teamID: request.values(headers.team).first, sessionID: sessionHeader ?? request.values(headers.session).first
            )
        case .none:
            break
        }
        audit.human = caller.humanID
        audit.agent = caller.agentID
        audit.team = caller.teamID
        audit.session = caller.sessionID

        // The MCP session: only an id sealed here for this caller opens to the upstream's.
        guard let binding = sessionBinding() else {
            return Self.finish(Responses.plain(503, "server_unusable", "the session binding key cannot be read"), "session_key_unavailable", audit)
        }
        let issuer = config.auth.oauth?.issuer
        var upstreamSessionID: String?
        let presented = request.values(SessionBinding.header)
        if !presented.isEmpty {
            guard presented.count == 1, let opened = binding.open(presented[0], caller: caller, issuer: issuer) else {
                return Self.finish(Responses.plain(404, "session_not_found", "no MCP session of this caller has this id"), "mcp_session_unknown", audit)
            }
            upstreamSessionID = opened
        }

        // The message, for POST.
        var message: JSONRPCMessage?
        if request.method == "POST" {
            // The body is read as UTF-8 JSON, so the upstream must read it so too: a
            // charset (UTF-7, UTF-16) or a content coding would give it other bytes.
            guard Self.isUTF8JSON(request.values("Content-Type")), request.values("Content-Encoding").allSatisfy({ $0.trimmingSpaces.equalsIgnoringASCIICase("identity") }) else {
                return Self.finish(Responses.jsonRPCError(415, id: nil, code: -32600, message: "a message is application/json in UTF-8, without a content coding"), "unsupported_media_type", audit)
            }
            if request.bodyTooLarge {
                return Self.finish(Responses.jsonRPCError(413, id: nil, code: -32600, message: "the request body exceeds \(config.limits.maxBodyBytes) bytes"), "body_too_large", audit)
            }
            let inspected = JSONRPCMessage.inspect(request.body ?? Data())
            switch inspected {
            case .batch:
                return Self.finish(Responses.jsonRPCError(400, id: nil, code: -32600, message: "JSON-RPC batches are not supported"), "batch_refused", audit)
            case .invalid(let why):
                return Self.finish(Responses.jsonRPCError(400, id: nil, code: -32600, message: why), "invalid_message", audit)
            case .request(let method, _, let target, let reference):
                audit.method = method
                if method == JSONRPCMessage.toolsCall { audit.tool = target } else { audit.target = target }
                switch reference {
                case .prompt(let name)?: audit.target = name
                case .resource(let uri)?: audit.target = uri
                case nil: break
                }
                if method == Self.subscriptionsListen, policy.hasResourceRules, config.auth.mode != .none {
                    // Its resource subscriptions are not read here: with resource rules in
                    // force it would pass them by (resources/subscribe is governed).
                    return Self.finish(
                        Responses.jsonRPCError(403, id: inspected.id, code: -32001, message: "refused by policy: subscriptions/listen is not available while resource rules apply; use resources/subscribe",
                                               data: ["reason": .string("method_not_governed"), "policyVersion": .string(config.policy.version)]),
                        "method_not_governed", audit)
                }
            case .response:
                break
            }
            message = inspected
        }
        let tool: String? = if case .request(JSONRPCMessage.toolsCall, _, let name, _)? = message { name } else { nil }
        var governed = message.flatMap(Self.governedItem)
        if config.auth.mode != .none, policy.hasResourceRules, let item = governed, let uri = item.uri {
            // Rules compare the URI decoded as the server decodes it; one it may read as
            // another resource is refused.
            switch ResourceURICheck.canonical(uri) {
            case .failure(let problem):
                return Self.finish(Responses.jsonRPCError(400, id: message?.id, code: -32602, message: "the resource URI \(problem)"), "ambiguous_resource_uri", audit)
            case .success(let canonical):
                governed = item.with(uri: canonical)
            }
        }

        // The agent session the caller names, on every request whatever its method: one
        // that is revoked, expired, past its lifetime or idle refuses them all.
        var session: CompiledPolicy.Session?
        if config.auth.mode != .none {
            switch policy.standing(of: caller, now: now, activity: activity) {
            case .refused(let reason) where config.policy.mode == .observe:
                audit.decision = "observe"
                audit.reason = reason.rawValue
            case .refused(let reason):
                return Self.finish(governanceRefusal(reason, id: message?.id), reason.rawValue, audit)
            case .live(let live):
                session = live
            case .unknown, .unnamed:
                break
            }
        }

        // Scopes: the server's required scopes for every request, a tool's for its calls.
        if let scopes, case .insufficient(let missing, let challenge) = scopes.check(granted: grantedScopes, tool: tool) {
            let response = Responses.oauthError(
                403, "insufficient_scope", "the token lacks \(missing.joined(separator: " "))",
                challenge: BearerChallenge(resourceMetadata: config.resource.metadataURL, scope: challenge, error: .insufficientScope)
            )
            return Self.finish(response, "insufficient_scope", audit)
        }

        // Governance, for tools/call, resources/read and prompts/get, where there is an
        // identity to govern; list answers and event streams filtered by the same decisions.
        var liveSession = session?.name
        var answerFilter: AnswerFilter?
        if config.auth.mode != .none {
            answerFilter = self.answerFilter(caller: caller, grantedScopes: grantedScopes, now: now, listRequest: message.map(Self.isListRequest) ?? false)
        }
        if let governed, config.auth.mode != .none {
            let decision = policy.evaluate(governed, caller: caller, now: now, activity: activity)
            audit.reason = decision.reason.rawValue
            if !decision.allowed {
                return Self.finish(governanceRefusal(decision.reason, id: message?.id), decision.reason.rawValue, audit)
            }
            if !decision.enforcedAllowed { audit.decision = "observe" }
            liveSession = decision.session
        }
        // Rate limits, per caller and per tool (RequestPipeline+RateLimits.swift).
        if let limited = rateLimited(caller: caller, tool: tool, id: message?.id, now: now, audit: &audit) { return limited }
        // Only a request that goes on counts as the session's use.
        if let session { activity.used(session.key, at: now) }

        // Forward: sanitized headers, the resolved identity, the upstream credential.
        var headers = sanitizer.sanitize(request.headers)
        if let upstreamSessionID { headers.append((name: SessionBinding.header, value: upstreamSessionID)) }
        for (name, value) in [(identity.human, caller.humanID), (identity.agent, caller.agentID), (identity.team, caller.teamID), (identity.session, liveSession)] {
            if let value { headers.append((name: name, value: value)) }
        }
        switch await upstreamCredential(session: liveSession, token: callerToken, tokenExpiry: callerTokenExpiry) {
        case .failure(let error):
            return Self.finish(Responses.plain(error.status, error.code, error.reason), error.code, audit)
        case .success(let credential):
            if let credential {
                headers.removeAll { $0.name.equalsIgnoringASCIICase(credential.name) }
                headers.append(credential)
            }
        }
        if answerFilter != nil {
            // The filter reads the answer as it is sent: no content coding.
            headers.removeAll { $0.name.equalsIgnoringASCIICase("accept-encoding") }
            headers.append((name: "Accept-Encoding", value: "identity"))
        }
        if audit.decision != "observe" { audit.decision = "allow" }
        if audit.reason.isEmpty { audit.reason = "allowed" }
        audit.status = 200
        var plan = ForwardPlan(upstreamURL: config.upstream.url, sessionSealer: SessionSealer(binding: binding, caller: caller, issuer: issuer), headers: headers, responseHeaders: [])
        plan.answerFilter = answerFilter
        plan.connectionPartition = [caller.humanID, caller.agentID, caller.teamID].map { $0 ?? "" }.joined(separator: "\u{0}")
        return PipelineResult(outcome: .forward(plan), audit: audit)
    }

    /// Exactly one `Content-Type`: `application/json`, with at most `charset=utf-8`.
    static func isUTF8JSON(_ values: [String]) -> Bool {
        guard values.count == 1 else { return false }
        let parts = values[0].split(separator: ";", omittingEmptySubsequences: false).map { $0.trimmingSpaces }
        guard parts[0].equalsIgnoringASCIICase("application/json") else { return false }
        return parts.dropFirst().allSatisfy { parameter in
            let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingSpaces }
            guard pair.count == 2, pair[0].equalsIgnoringASCIICase("charset") else { return false }
            let value = pair[1].hasPrefix("\"") && pair[1].hasSuffix("\"") && pair[1].count >= 2 ? String(pair[1].dropFirst().dropLast()) : pair[1]
            return value.equalsIgnoringASCIICase("utf-8")
        }
    }

    /// The key binding MCP sessions to callers: the mounted one, read now (a rotated
    /// Secret applies; sessions sealed under the old key then end), else this process's.
    private func sessionBinding() -> SessionBinding? {
        guard let file = config.session.bindingKeyFile else { return SessionBinding(key: Self.processSessionKey) }
        guard let key = secrets.contents(of: file).map(Self.trimmed), key.utf8.count >= 32 else { return nil }
        return SessionBinding(key: Array(key.utf8))
    }

    /// Drawn once per process: for a config without a mounted key.
    static let processSessionKey: [UInt8] = (0..<32).map { _ in UInt8.random(in: .min ... .max) }

    /// A governance refusal as a JSON-RPC error with the request's id and the reason; a
    /// 401 in oauth mode carries a challenge without an error (no token fixes it).
    private func governanceRefusal(_ reason: DecisionReason, id: JSONValue?) -> ProxyResponse {
        let challenge = reason.denialStatus == 401 && config.auth.mode == .oauth
            ? BearerChallenge(resourceMetadata: config.resource.metadataURL, scope: config.auth.oauth?.requiredScopes ?? []) : nil
        return Responses.jsonRPCError(
            reason.denialStatus, id: id, code: -32001, message: "refused by policy: \(reason.rawValue)",
            data: ["reason": .string(reason.rawValue), "policyVersion": .string(config.policy.version)],
            challenge: challenge
        )
    }

    private static func finish(_ response: ProxyResponse, _ reason: String, _ audit: AuditRecord) -> PipelineResult {
        var audit = audit
        audit.reason = reason
        audit.status = response.status
        return PipelineResult(outcome: .respond(response), audit: audit)
    }

    /// RFC 9728 metadata: public, cacheable, readable by browsers.
    private func metadataResponse(_ request: InboundRequest) -> ProxyResponse {
        let cors = [(name: "Access-Control-Allow-Origin", value: "*"), (name: "Access-Control-Allow-Methods", value: "GET, HEAD, OPTIONS")]
        switch request.method {
        case "GET", "HEAD":
            guard let document = metadataDocument else { return Responses.plain(404, "not_found", "no metadata") }
            return ProxyResponse(
                status: 200,
                headers: [Responses.json, (name: "Cache-Control", value: "public, max-age=300")] + cors,
                body: request.method == "HEAD" ? Data() : document
            )
        case "OPTIONS":
            return ProxyResponse(status: 204, headers: cors + [(name: "Access-Control-Allow-Headers", value: "MCP-Protocol-Version")])
        default:
            return ProxyResponse(status: 405, headers: [(name: "Allow", value: "GET, HEAD, OPTIONS")])
        }
    }

    /// The MCP endpoint's methods, and for a browser the headers a client may send.
    private func preflightResponse(_ request: InboundRequest) -> ProxyResponse {
        let methods = Self.endpointMethods.joined(separator: ", ")
        var headers = [(name: "Allow", value: methods)]
        if !request.values("Origin").isEmpty {
            var allowed = ["Authorization", "Content-Type", "Accept", "Mcp-Session-Id", "MCP-Protocol-Version", "Last-Event-ID"]
            for name in [config.auth.tokenHeader, config.session.headerName] where !allowed.contains(where: { $0.equalsIgnoringASCIICase(name) }) {
                allowed.append(name)
            }
            headers += [
                (name: "Access-Control-Allow-Methods", value: methods),
                (name: "Access-Control-Allow-Headers", value: allowed.joined(separator: ", ")),
                (name: "Access-Control-Max-Age", value: "600"),
            ]
        }
        return ProxyResponse(status: 204, headers: headers)
    }

    private enum Authentication {
        case success(TokenClaims)
        case failure((ProxyResponse, String))
    }

    private func authenticate(_ credential: BearerCredential, now: Date) async -> Authentication {
        let metadataURL = config.resource.metadataURL
        let required = config.auth.oauth?.requiredScopes ?? []
        guard let verifier, let keySource else {
            return .failure((Responses.plain(503, "server_unusable", "oauth mode without oauth settings"), "server_unusable"))
        }
        switch credential {
        case .absent:
            let challenge = BearerChallenge(resourceMetadata: metadataURL, scope: required)
            return .failure((Responses.oauthError(401, "unauthorized", "a bearer token is required", challenge: challenge), "missing_token"))
        case .malformed(let problem):
            let challenge = BearerChallenge(resourceMetadata: metadataURL, scope: required, error: .invalidRequest, errorDescription: problem.rawValue)
            return .failure((Responses.oauthError(400, "invalid_request", problem.rawValue, challenge: challenge), "invalid_request"))
        case .token(let token):
            let verified = config.auth.oauth?.introspection == nil || TokenVerifier.isJWT(token)
                ? await Self.verify(token, verifier: verifier, keySource: keySource, now: now)
                : await introspect(token, verifier: verifier, now: now)
            switch verified {
            case .success(let claims):
                return .success(claims)
            case .failure(.rejected(let rejection)):
                let challenge = BearerChallenge(resourceMetadata: metadataURL, scope: required, error: .invalidToken, errorDescription: rejection.description)
                return .failure((Responses.oauthError(401, "invalid_token", rejection.description, challenge: challenge), "invalid_token"))
            case .failure(.keysUnavailable):
                // Keys unreachable: never a pass.
                return .failure((Responses.plain(503, "temporarily_unavailable", "the authorization server's keys cannot be loaded"), "keys_unavailable"))
            case .failure(.introspectionUnavailable):
                return .failure((Responses.plain(503, "temporarily_unavailable", "the authorization server cannot introspect the token now"), "introspection_unavailable"))
            }
        }
    }

    enum VerificationFailure: Error {
        case rejected(TokenRejection)
        case keysUnavailable
        case introspectionUnavailable
    }

    /// An opaque token, by RFC 7662 with the proxy's own credentials; the answer is held
    /// to the same issuer, audience and time rules as a JWT.
    private func introspect(_ token: String, verifier: TokenVerifier, now: Date) async -> Result<TokenClaims, VerificationFailure> {
        guard let settings = config.auth.oauth?.introspection, let introspector,
              let credentials = clientCredentials(settings.clientID, secretFile: settings.clientSecretFile)
        else { return .failure(.introspectionUnavailable) }
        let response: [String: JSONValue]
        do {
            response = try await introspector.introspect(token, credentials: credentials)
        } catch {
            return .failure(.introspectionUnavailable)
        }
        do {
            return .success(try verifier.verify(introspection: response, now: now))
        } catch {
            return .failure(.rejected(error))
        }
    }

    /// Verifies with the cached keys; a token naming an unknown key id gets one retry
    /// with freshly fetched keys (the issuer may have rotated them).
    static func verify(_ token: String, verifier: TokenVerifier, keySource: any KeySource, now: Date) async -> Result<TokenClaims, VerificationFailure> {
        for refresh in [false, true] {
            let keys: VerificationKeys
            do {
                keys = try await keySource.keys(refresh: refresh)
            } catch {
                return .failure(.keysUnavailable)
            }
            do {
                return .success(try await verifier.verify(token, keys: keys, now: now))
            } catch {
                if case .unknownKey = error, !refresh { continue }
                return .failure(.rejected(error))
            }
        }
        return .failure(.keysUnavailable)
    }

}

extension BearerCredential {
    /// The token, if this is one.
    var token: String? {
        if case .token(let token) = self { return token }
        return nil
    }

    /// The audit fingerprint of the token, if this is one.
    var fingerprint: String? {
        token.map(AuditRecord.fingerprint(of:))
    }
}
