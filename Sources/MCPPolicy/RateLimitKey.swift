import Crypto

/// Which bucket: SHA-256 of the key's parts (which limit, whose, which tool), each
/// length-prefixed so that no two lists of parts give the same bytes. 32 bytes whatever
/// the identity's length: what bounds the memory of each tracked caller, and no caller's
/// identity is kept in the limiter.
public struct RateLimitKey: Sendable, Hashable {
    private let words: (UInt64, UInt64, UInt64, UInt64)

    public init(_ parts: [String]) {
        var hash = SHA256()
        for part in parts {
            withUnsafeBytes(of: UInt64(part.utf8.count).bigEndian) { hash.update(bufferPointer: $0) }
            hash.update(data: Array(part.utf8))
        }
        let bytes = Array(hash.finalize())
        func word(_ index: Int) -> UInt64 {
            bytes[index * 8..<index * 8 + 8].reduce(0) { $0 << 8 | UInt64($1) }
        }
        words = (word(0), word(1), word(2), word(3))
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.words == rhs.words
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(words.0)
        hasher.combine(words.1)
        hasher.combine(words.2)
        hasher.combine(words.3)
    }
}
