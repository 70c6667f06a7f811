/// How resource rules see a resource URI. Rules match bytes; an MCP server may decode or
/// normalize a URI before it looks the resource up (the SDKs percent-decode template
/// parameters; RFC 3986 §6 folds the case of the scheme and host and removes dot
/// segments; a file-backed server may take a backslash for a separator). So rules compare
/// the URI percent-decoded once, and a URI that still could name another resource is
/// refused: a `%` that is no percent-encoding, one that encodes `/`, `\` or `%` (a second
/// decoding would change it again), decoded bytes that are not UTF-8, a control character,
/// a backslash, an uppercase scheme or host, or a dot segment.
public enum ResourceURICheck {
    /// The URI as rules compare it, or why it is ambiguous.
    public static func canonical(_ uri: String) -> Result<String, Problem> {
        var decoded: [UInt8] = []
        decoded.reserveCapacity(uri.utf8.count)
        var bytes = uri.utf8.makeIterator()
        while let byte = bytes.next() {
            guard byte == UInt8(ascii: "%") else {
                decoded.append(byte)
                continue
            }
            guard let high = bytes.next().flatMap(hex), let low = bytes.next().flatMap(hex) else { return .failure(Problem("has a % that is no percent-encoding")) }
            let value = high << 4 | low
            if [UInt8(ascii: "/"), UInt8(ascii: "\\"), UInt8(ascii: "%")].contains(value) {
                return .failure(Problem("percent-encodes \"\(Character(Unicode.Scalar(value)))\", which a server may decode"))
            }
            decoded.append(value)
        }
        guard let text = String(validating: decoded, as: UTF8.self) else { return .failure(Problem("decodes to bytes that are not UTF-8")) }
        if decoded.contains(where: { $0 < 0x20 || $0 == 0x7F }) { return .failure(Problem("has a control character")) }
        if decoded.contains(UInt8(ascii: "\\")) { return .failure(Problem("has a backslash")) }
        // The scheme and the authority are case-insensitive: only their lowercase form is compared.
        let colon = decoded.firstIndex(of: UInt8(ascii: ":"))
        let schemeEnd = colon ?? 0
        var authorityEnd = colon.map { $0 + 1 } ?? 0
        if decoded[schemeEnd...].starts(with: Array("://".utf8)) {
            authorityEnd = decoded[(schemeEnd + 3)...].firstIndex { [UInt8(ascii: "/"), UInt8(ascii: "?"), UInt8(ascii: "#")].contains($0) } ?? decoded.count
        }
        if decoded[..<authorityEnd].contains(where: { (0x41...0x5A).contains($0) }) { return .failure(Problem("has an uppercase scheme or host")) }
        let path = decoded[authorityEnd...].prefix { $0 != UInt8(ascii: "?") && $0 != UInt8(ascii: "#") }
        for segment in path.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false) {
            if segment.elementsEqual(".".utf8) || segment.elementsEqual("..".utf8) { return .failure(Problem("has a dot segment")) }
        }
        return .success(text)
    }

    /// Why the URI is ambiguous, or nil.
    public static func problem(_ uri: String) -> String? {
        if case .failure(let problem) = canonical(uri) { return problem.description }
        return nil
    }

    public struct Problem: Error, Sendable, Hashable, CustomStringConvertible {
        public let description: String

        init(_ description: String) {
            self.description = description
        }
    }

    private static func hex(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
