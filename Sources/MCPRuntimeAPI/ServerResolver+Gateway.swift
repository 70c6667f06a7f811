import Foundation
import KubeCore

extension ServerResolver {
    mutating func resolveGateway(auth: ResolvedAuth, requestPath: String) -> ResolvedGateway {
        let path = Self.spec.child("gateway")
        let gateway = spec.gateway ?? GatewayConfig().defaulted()
        let enabled = gateway.enabled ?? Defaults.gatewayEnabled
        if !enabled && auth.mode != .none {
            issues.forbidden(path.child("enabled"), "auth mode \(auth.mode.rawValue) is enforced by the proxy, which cannot be disabled", hint: "remove spec.gateway.enabled: false, or use spec.auth.mode: none")
        }
        let port = gateway.port ?? Defaults.gatewayPort
        checkPort(port, at: path.child("port"))
        if port == spec.port {
            issues.invalid(path.child("port"), "must differ from spec.port (\(port))", hint: "keep the default 8091 or pick another free port")
        }
        if let image = gateway.image, image.isEmpty || image.contains(where: \.isWhitespace) {
            issues.invalid(path.child("image"), "\"\(image)\" is not an image reference")
        }
        checkResources(gateway.resources, at: path.child("resources"))

        var forwardedPath = requestPath
        if let prefix = gateway.stripPrefix, !prefix.isEmpty, prefix != "/" {
            let trimmed = "/" + prefix.trimmingSlashes
            if requestPath == trimmed {
                forwardedPath = "/"
            } else if requestPath.hasPrefix(trimmed + "/") {
                forwardedPath = String(requestPath.dropFirst(trimmed.count))
            } else {
                issues.invalid(path.child("stripPrefix"), "\"\(prefix)\" is not a prefix of the route path \(requestPath)", hint: "use leading segments of \(requestPath), e.g. \"/\(requestPath.trimmingSlashes.split(separator: "/").first ?? "")\"")
            }
        }

        var upstreamURL = "http://\(name)-server.\(server.metadata.namespace ?? "default").svc:\(spec.servicePort ?? Defaults.servicePort)" + forwardedPath
        if let explicit = gateway.upstreamURL {
            if let components = URLComponents(string: explicit), let scheme = components.scheme?.lowercased(),
               scheme == "http" || scheme == "https", let hostRange = components.rangeOfHost, !explicit[hostRange].isEmpty,
               components.query == nil, components.fragment == nil, components.user == nil {
                let hasPath = !components.percentEncodedPath.isEmpty && components.percentEncodedPath != "/"
                upstreamURL = hasPath ? explicit : explicit.trimmingTrailingSlash + forwardedPath
            } else {
                issues.invalid(path.child("upstreamURL"), "\"\(explicit)\" is not an http(s) URL without query or fragment", hint: "e.g. http://weather.tools.svc:8080/mcp")
            }
        }
        return ResolvedGateway(enabled: enabled, image: gateway.image, port: port, upstreamURL: upstreamURL, resources: gateway.resources)
    }

    mutating func resolveUpstreamAuth(mode authMode: AuthMode) -> ResolvedUpstreamAuth {
        let path = Self.spec.child("upstreamAuth")
        guard let config = spec.upstreamAuth else { return .none }
        let header = config.header ?? Defaults.upstreamAuthHeader
        if !Syntax.isHTTPToken(header) {
            issues.invalid(path.child("header"), "\"\(header)\" is not a valid HTTP header name")
        }
        switch issues.choice(config.mode, as: UpstreamAuthMode.self, at: path.child("mode")) {
        case .some(.secret):
            if config.tokenExchange != nil { issues.warn(path.child("tokenExchange"), "ignored because spec.upstreamAuth.mode is secret") }
            guard let secret = secretRef(config.secretRef, at: path.child("secretRef")) else { return .none }
            return .secret(header: header, secret: secret)
        case .some(.tokenExchange):
            if config.secretRef != nil { issues.warn(path.child("secretRef"), "ignored because spec.upstreamAuth.mode is tokenExchange") }
            if authMode != .oauth {
                issues.forbidden(path.child("mode"), "token exchange trades the caller's OAuth token, so it needs spec.auth.mode: oauth", hint: "use spec.upstreamAuth.mode: secret, or switch spec.auth.mode to oauth")
            }
            guard let exchange = config.tokenExchange else {
                issues.required(path.child("tokenExchange"), "tokenExchange {audience, clientID, clientSecretRef} is required for mode tokenExchange")
                return .none
            }
            let item = path.child("tokenExchange")
            if exchange.audience?.isEmpty ?? true {
                issues.required(item.child("audience"), "the audience of the exchanged token (the upstream MCP server) is required")
            }
            if exchange.clientID?.isEmpty ?? true {
                issues.required(item.child("clientID"), "the proxy's client id at the authorization server is required")
            }
            let scopes = scopes(exchange.scopes, at: item.child("scopes"))
            let secret = secretRef(exchange.clientSecretRef, at: item.child("clientSecretRef"))
            guard let audience = exchange.audience, !audience.isEmpty, let clientID = exchange.clientID, !clientID.isEmpty, let secret else {
                return .none
            }
            return .tokenExchange(header: header, audience: audience, scopes: scopes, clientID: clientID, clientSecret: secret)
        case .some(.none), nil:
            if config.secretRef != nil || config.tokenExchange != nil {
                issues.warn(path.child("mode"), "secretRef and tokenExchange are ignored while the mode is none", hint: "set spec.upstreamAuth.mode to secret or tokenExchange")
            }
            return .none
        }
    }
}

extension String {
    var trimmingTrailingSlash: String {
        var text = self
        while text.hasSuffix("/") { text.removeLast() }
        return text
    }
}
