import StrictJSON
import Foundation
import KubeCore

/// Why a config cannot be used. The message says what to fix. (`MCPProxyServer` calls it
/// `ConfigLoadError`.)
public struct ProxyConfigError: Error, CustomStringConvertible, Sendable {
    public var description: String

    public init(description: String) {
        self.description = description
    }
}

/// Decodes and checks a `config.json` (see docs/proxy-config.md): pure, so that it can be
/// tested and fuzzed without the proxy's I/O. A proxy never starts, and never switches, to
/// a config that fails here.
public enum ProxyConfigDecoder {
    public static func decode(_ data: Data, source: String) throws(ProxyConfigError) -> ProxyConfig {
        if data.isEmpty { throw ProxyConfigError(description: "\(source): the file is empty") }
        // All of it strict JSON first: JSONDecoder checks only the members it decodes, and
        // takes one of two that repeat.
        do throws(StrictJSONError) {
            try StrictJSONReader.read(data) { reader throws(StrictJSONError) in try reader.skipValue(depth: 0) }
        } catch {
            throw ProxyConfigError(description: "\(source): \(error.description)")
        }
        var config: ProxyConfig
        do {
            config = try JSONDecoder().decode(ProxyConfig.self, from: data)
        } catch let error as DecodingError {
            throw ProxyConfigError(description: "\(source): \(describe(error))")
        } catch {
            throw ProxyConfigError(description: "\(source): \(error)")
        }
        guard config.version == ProxyConfig.currentVersion else {
            throw ProxyConfigError(description: "\(source): config version \(config.version) is not supported (this proxy reads version \(ProxyConfig.currentVersion))")
        }
        if config.unusable == nil, config.auth.mode == .oauth, config.auth.oauth == nil {
            throw ProxyConfigError(description: "\(source): auth.mode is oauth but auth.oauth is missing")
        }
        if config.unusable == nil, config.auth.mode == .oauth, config.resource.metadataURL == nil || config.resource.uri == nil {
            throw ProxyConfigError(description: "\(source): oauth mode needs resource.uri and resource.metadataURL")
        }
        if let problem = config.auth.oauth?.cache.problem {
            throw ProxyConfigError(description: "\(source): auth.oauth.issuerCache: \(problem)")
        }
        guard config.resource.path.hasPrefix("/") else {
            throw ProxyConfigError(description: "\(source): resource.path must start with /")
        }
        guard let upstream = URL(string: config.upstream.url), ["http", "https"].contains(upstream.scheme ?? "") else {
            throw ProxyConfigError(description: "\(source): upstream.url \"\(config.upstream.url)\" is not an http(s) URL")
        }
        let limits = config.limits
        for (name, value) in [
            ("maxBodyBytes", limits.maxBodyBytes), ("requestHeadTimeoutSeconds", limits.requestHeadTimeoutSeconds),
            ("bodyTimeoutSeconds", limits.bodyTimeoutSeconds), ("keepAliveIdleSeconds", limits.keepAliveIdleSeconds),
            ("maxHeaderBytes", limits.maxHeaderBytes), ("maxHeaderCount", limits.maxHeaderCount),
        ] where value <= 0 {
            throw ProxyConfigError(description: "\(source): limits.\(name) must be positive")
        }
        if let problem = config.rateLimits?.problem {
            throw ProxyConfigError(description: "\(source): rateLimits: \(problem)")
        }
        for (index, grant) in config.grants.enumerated() {
            if let problem = grant.rateLimits?.problem {
                throw ProxyConfigError(description: "\(source): grants[\(index)].rateLimits: \(problem)")
            }
            if let rule = grant.resourceRules.firstIndex(where: { $0.match == nil }) {
                throw ProxyConfigError(description: "\(source): grants[\(index)] (\(grant.namespace)/\(grant.name)): resourceRules[\(rule)] needs exactly one of a non-empty uriPrefix or a valid uriPattern")
            }
        }
        // The revision in force is the content's, never what the document claims.
        config.revision = config.contentRevision
        return config
    }

    private static func describe(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, let context): return "\(FieldPath(codingPath: context.codingPath + [key])) is missing"
        case .typeMismatch(_, let context), .valueNotFound(_, let context): return "\(FieldPath(codingPath: context.codingPath)): wrong type or null"
        case .dataCorrupted(let context): return context.codingPath.isEmpty ? "not valid JSON" : "\(FieldPath(codingPath: context.codingPath)): \(context.debugDescription)"
        @unknown default: return "\(error)"
        }
    }
}
