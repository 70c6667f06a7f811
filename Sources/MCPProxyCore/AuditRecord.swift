import Foundation
import MCPTokenVerification

/// One JSON audit line per decision. Never a token: at most a short fingerprint.
public struct AuditRecord: Sendable, Encodable, Hashable {
    public var decision: String
    public var reason: String
    public var status: Int
    public var method: String?
    public var tool: String?
    /// The resource URI of `resources/read` and `resources/subscribe`, the prompt of `prompts/get`.
    public var target: String?
    /// The list entries removed from the answer (or, observing, that would have been), as
    /// `kind:name`: `tool:set_alert`, `resource:weather://internal/ops`.
    public var hidden: [String]?
    /// Events of a filtered stream dropped because the filter could not read them.
    public var unreadableEvents: Int?
    public var human: String?
    public var agent: String?
    public var team: String?
    public var session: String?
    public var policyVersion: String?
    public var revision: String?
    /// The first 12 hex digits of SHA-256 of the token: enough to correlate, useless to replay.
    public var tokenFingerprint: String?
    /// The rate limit a request exceeded (`perHuman`, `perAgent`, `tools/<name>`), also in
    /// observe mode, where the request still went through.
    public var rateLimit: String?
    /// `namespace/name` of the grant whose limit that was; absent: the server's.
    public var rateLimitGrant: String?

    public static func fingerprint(of token: String) -> String {
        String(digest(of: token).prefix(12))
    }

    /// The whole SHA-256 of a token in hex: the key under which answers about it are cached.
    public static func digest(of token: String) -> String {
        let digits = Array("0123456789abcdef".utf8)
        return String(decoding: TokenDigest.sha256(of: token).flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0x0f)]] }, as: UTF8.self)
    }
}
