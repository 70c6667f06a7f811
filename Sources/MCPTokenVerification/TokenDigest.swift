import Crypto

/// SHA-256 of a token's UTF-8 bytes: the only form in which the proxy keeps or logs
/// anything about a token (the verified-token memo, answer caches, audit fingerprints).
public enum TokenDigest {
    public static func sha256(of token: String) -> SHA256Digest {
        var token = token
        return token.withUTF8 { SHA256.hash(data: UnsafeRawBufferPointer($0)) }
    }
}
