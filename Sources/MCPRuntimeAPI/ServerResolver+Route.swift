import KubeCore

extension ServerResolver {
    struct Route {
        var requestPath: String
        var ingress: IngressSettings?
        var resource: ResourceURI?
    }

    /// The public route and the canonical resource URI: `spec.publicURL` if set, else
    /// `https://<ingressHost><route>` where route is `/<publicPathPrefix>/mcp`,
    /// `ingressPath`, or `/<name>/mcp`; in oauth mode with neither, `spec.auth.audience`.
    mutating func resolveRoute() -> Route {
        let path = Self.spec
        let routePath = resolveRoutePath()
        var resource: ResourceURI?
        var ingress: IngressSettings?

        if let publicURL = spec.publicURL {
            resource = parseURI(publicURL, at: path.child("publicURL"), hint: "use an absolute https URI such as https://mcp.example.com/team-a/mcp")
        }
        if let rawHost = spec.ingressHost, !rawHost.isEmpty {
            let host = rawHost.lowercased()
            if !Syntax.isDNS1123Subdomain(host) {
                issues.invalid(path.child("ingressHost"), "\"\(rawHost)\" is not a DNS host name", hint: "use a name such as mcp.example.com, without scheme, port or path")
            } else {
                ingress = IngressSettings(host: host, className: spec.ingressClass.flatMap { $0.isEmpty ? nil : $0 }, annotations: spec.ingressAnnotations ?? [:])
                if let resource {
                    if resource.host != host {
                        issues.warn(path.child("ingressHost"), "differs from the host of spec.publicURL (\(resource.host)); clients will use spec.publicURL")
                    }
                } else if let routePath {
                    resource = try? ResourceURI.https(host: host, path: routePath)
                }
            }
        }
        if resource == nil, spec.auth?.mode == AuthMode.oauth.rawValue, let audience = spec.auth?.audience {
            resource = try? ResourceURI.parse(audience)
        }
        if let className = spec.ingressClass, !className.isEmpty, !Syntax.isDNS1123Subdomain(className) {
            issues.invalid(path.child("ingressClass"), "\"\(className)\" is not a valid IngressClass name")
        }
        let requestPath = resource?.requestPath ?? routePath ?? "/"
        return Route(requestPath: requestPath, ingress: ingress, resource: resource)
    }

    private mutating func resolveRoutePath() -> String? {
        let path = Self.spec
        if let prefix = spec.publicPathPrefix, !prefix.isEmpty {
            let trimmed = prefix.trimmingSlashes
            guard !trimmed.isEmpty, isValidPath("/" + trimmed) else {
                issues.invalid(path.child("publicPathPrefix"), "\"\(prefix)\" is not a usable path prefix", hint: "use path segments such as team-a (the route becomes /team-a/mcp)")
                return nil
            }
            return "/\(trimmed)/mcp"
        }
        if let ingressPath = spec.ingressPath, !ingressPath.isEmpty {
            var normalized = ingressPath
            while normalized.count > 1 && normalized.hasSuffix("/") { normalized.removeLast() }
            guard ingressPath.hasPrefix("/"), isValidPath(normalized) else {
                issues.invalid(path.child("ingressPath"), "\"\(ingressPath)\" is not a usable route path", hint: "use an absolute path without query or fragment, such as /team-a/mcp")
                return nil
            }
            return normalized
        }
        return "/\(name)/mcp"
    }

    /// A path of non-empty, non-dot segments made of URI path characters.
    private func isValidPath(_ path: String) -> Bool {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$&'()*+,;=:@%")
        let segments = path.dropFirst().split(separator: "/", omittingEmptySubsequences: false)
        return path.hasPrefix("/") && segments.allSatisfy { segment in
            !segment.isEmpty && segment != "." && segment != ".." && segment.allSatisfy { allowed.contains($0) }
        }
    }

    /// Parses a URI field, reporting the problem at `path`.
    mutating func parseURI(_ text: String, at path: FieldPath, hint: String) -> ResourceURI? {
        do {
            return try ResourceURI.parse(text)
        } catch {
            issues.invalid(path, error.description, hint: hint)
            return nil
        }
    }
}

extension String {
    var trimmingSlashes: String {
        var text = Substring(self)
        while text.hasPrefix("/") { text = text.dropFirst() }
        while text.hasSuffix("/") { text = text.dropLast() }
        return String(text)
    }
}
