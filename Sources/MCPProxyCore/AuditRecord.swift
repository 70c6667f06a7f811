import Crypto
import Foundation

/// One JSON audit line per decision. Never a token: at most a short fingerprint.
public struct AuditRecord: Sendable, Encodable, Hashable {
    public var decision: String
    public var reason: String
    public var status: Int
    public var method: String?
    public var tool: String?
    public var human: String?
    public var agent: String?
    public var team: String?
    public var session: String?
    public var policyVersion: String?
    public var revision: String?
    /// The first 12 hex digits of SHA-256 of the token: enough to correlate, useless to replay.
    public var tokenFingerprint: String?

    public static func fingerprint(of token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).prefix(6).map { byte in
            let digits = Array("0123456789abcdef")
            return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0f)]])
        }.joined()
    }
}
