import Crypto
import Foundation
import MCPPolicy
import MCPTokenVerification

/// Binds the MCP server's `Mcp-Session-Id` to the caller that created it, without state
/// shared between replicas: the client is handed `<upstream id>.<MAC>` (both base64url),
/// the MAC an HMAC-SHA256 under the key every replica mounts over the upstream's id and
/// the caller (issuer, human, agent, team). A session id presented by anyone else, or not
/// made here, opens to nothing: 404, the answer for an unknown session, never forwarded.
public struct SessionBinding: Sendable {
    /// The header of the MCP transport (Streamable HTTP).
    public static let header = "Mcp-Session-Id"

    private let key: SymmetricKey

    public init(key: some ContiguousBytes) {
        self.key = SymmetricKey(data: key)
    }

    /// The id the client gets for the upstream's `upstreamID`, bound to `caller`.
    public func seal(_ upstreamID: String, caller: CallerIdentity, issuer: String?) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Self.message(upstreamID, caller: caller, issuer: issuer), using: key)
        return Base64URL.encode(Array(upstreamID.utf8)) + "." + Base64URL.encode(Array(mac))
    }

    /// The upstream's id inside `presented`, if it was sealed here for this very caller.
    public func open(_ presented: String, caller: CallerIdentity, issuer: String?) -> String? {
        let parts = presented.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let id = Base64URL.decode(parts[0].utf8), let mac = Base64URL.decode(parts[1].utf8), mac.count == SHA256.byteCount,
              let upstreamID = String(validating: Array(id), as: UTF8.self)
        else { return nil }
        guard HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: Self.message(upstreamID, caller: caller, issuer: issuer), using: key) else { return nil }
        return upstreamID
    }

    /// Each field length-prefixed, so that no two callers' fields run together alike.
    static func message(_ upstreamID: String, caller: CallerIdentity, issuer: String?) -> [UInt8] {
        var message: [UInt8] = Array("mcp-session-binding/v1".utf8)
        for field in [issuer, caller.humanID, caller.agentID, caller.teamID, upstreamID] {
            let bytes = field.map { Array($0.utf8) } ?? []
            let length = field == nil ? UInt32.max : UInt32(bytes.count)
            message += withUnsafeBytes(of: length.bigEndian, Array.init)
            message += bytes
        }
        return message
    }
}
