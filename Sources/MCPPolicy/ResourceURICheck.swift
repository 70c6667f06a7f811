/// Whether a resource URI can be compared with resource rules as written. Rules match
/// bytes; an MCP server may normalize a URI before it looks it up (RFC 3986 §6: case of
/// the scheme and host, percent-encoded unreserved characters, dot segments), and a
/// file-backed one may take `%2F` or a backslash for a separator. A URI with any of these,
/// or with a control character, is refused rather than compared in a form the server
/// may read as another resource.
public enum ResourceURICheck {
    /// Why the URI is ambiguous, or nil.
    public static func problem(_ uri: String) -> String? {
        let bytes = Array(uri.utf8)
        if bytes.contains(where: { $0 < 0x20 || $0 == 0x7F }) { return "has a control character" }
        if bytes.contains(UInt8(ascii: "\\")) { return "has a backslash" }
        var index = 0
        while let percent = bytes[index...].firstIndex(of: UInt8(ascii: "%")) {
            guard percent + 2 < bytes.count, let high = hex(bytes[percent + 1]), let low = hex(bytes[percent + 2]) else {
                return "has a % that is no percent-encoding"
            }
            let decoded = high << 4 | low
            if isUnreserved(decoded) || [UInt8(ascii: "/"), UInt8(ascii: "\\"), UInt8(ascii: "%")].contains(decoded) {
                return "percent-encodes \"\(Character(Unicode.Scalar(decoded)))\", which a server may decode"
            }
            index = percent + 3
        }
        // The scheme and the authority are case-insensitive: only their lowercase form is compared.
        let colon = bytes.firstIndex(of: UInt8(ascii: ":"))
        let schemeEnd = colon ?? 0
        var authorityEnd = colon.map { $0 + 1 } ?? 0
        if bytes[schemeEnd...].starts(with: Array("://".utf8)) {
            authorityEnd = bytes[(schemeEnd + 3)...].firstIndex { [UInt8(ascii: "/"), UInt8(ascii: "?"), UInt8(ascii: "#")].contains($0) } ?? bytes.count
        }
        if bytes[..<authorityEnd].contains(where: { (0x41...0x5A).contains($0) }) { return "has an uppercase scheme or host" }
        // Dot segments of the path.
        let path = bytes[authorityEnd...].prefix { $0 != UInt8(ascii: "?") && $0 != UInt8(ascii: "#") }
        for segment in path.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false) {
            if segment.elementsEqual(".".utf8) || segment.elementsEqual("..".utf8) { return "has a dot segment" }
        }
        return nil
    }

    private static func hex(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
        case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"): true
        default: false
        }
    }
}
