/// A resource URI pattern of an `MCPAccessGrant`'s `resourceRules[].uriPattern`: `*`
/// matches any run of characters without `/` (none included), `**` any run at all, every
/// other character itself, byte for byte (no case folding, no normalization: the MCP
/// server compares URIs as it receives them). Matches the whole URI.
public struct URIPattern: Sendable, Hashable, CustomStringConvertible {
    enum Token: Sendable, Hashable {
        case byte(UInt8)
        /// `*`: any bytes but `/`.
        case segment
        /// `**`: any bytes.
        case any
    }

    public let description: String
    let tokens: [Token]

    /// Nil for an empty pattern or one with `***` (neither `*` nor `**` alone).
    public init?(_ text: String) {
        guard !text.isEmpty else { return nil }
        var tokens: [Token] = []
        var stars = 0
        func flush() -> Bool {
            switch stars {
            case 0: break
            case 1: tokens.append(.segment)
            case 2: tokens.append(.any)
            default: return false
            }
            stars = 0
            return true
        }
        for byte in text.utf8 {
            if byte == UInt8(ascii: "*") {
                stars += 1
                continue
            }
            guard flush() else { return nil }
            tokens.append(.byte(byte))
        }
        guard flush() else { return nil }
        description = text
        self.tokens = tokens
    }

    /// Whether the whole of `uri` matches, compared as UTF-8 bytes.
    public func matches(_ uri: String) -> Bool {
        let bytes = Array(uri.utf8)
        // reachable[j]: the tokens read so far can match bytes[..<j].
        var reachable = [Bool](repeating: false, count: bytes.count + 1)
        reachable[0] = true
        for token in tokens {
            var next = [Bool](repeating: false, count: bytes.count + 1)
            switch token {
            case .byte(let byte):
                for j in 0..<bytes.count where reachable[j] && bytes[j] == byte { next[j + 1] = true }
            case .segment:
                for j in 0...bytes.count {
                    next[j] = reachable[j] || (j > 0 && next[j - 1] && bytes[j - 1] != UInt8(ascii: "/"))
                }
            case .any:
                for j in 0...bytes.count { next[j] = reachable[j] || (j > 0 && next[j - 1]) }
            }
            reachable = next
        }
        return reachable[bytes.count]
    }
}
