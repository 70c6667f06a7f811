import Foundation

/// Small, pure syntax checks for API field values.
public enum Syntax {
    private static let lowerAlnum = Set("abcdefghijklmnopqrstuvwxyz0123456789")

    /// RFC 1035 label as Kubernetes uses for Service names: `[a-z]([-a-z0-9]*[a-z0-9])?`, at most 63.
    public static func isDNS1035Label(_ text: String) -> Bool {
        guard let first = text.first, let last = text.last, text.count <= 63 else { return false }
        return first.isASCII && first.isLetter && first.isLowercase
            && lowerAlnum.contains(last)
            && text.allSatisfy { lowerAlnum.contains($0) || $0 == "-" }
    }

    /// RFC 1123 subdomain: dot-separated RFC 1123 labels, at most 253 characters, lowercase.
    public static func isDNS1123Subdomain(_ text: String) -> Bool {
        guard !text.isEmpty, text.count <= 253 else { return false }
        return text.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            guard let first = label.first, let last = label.last, label.count <= 63 else { return false }
            return lowerAlnum.contains(first) && lowerAlnum.contains(last)
                && label.allSatisfy { lowerAlnum.contains($0) || $0 == "-" }
        }
    }

    /// RFC 1123 label, as Namespace names are: `[a-z0-9]([-a-z0-9]*[a-z0-9])?`, at most 63.
    public static func isDNS1123Label(_ text: String) -> Bool {
        !text.contains(".") && isDNS1123Subdomain(text) && text.count <= 63
    }

    /// A label key: an optional DNS subdomain prefix and `/`, then a name of at most 63
    /// alphanumerics, `-`, `_` and `.`, starting and ending alphanumeric.
    public static func isLabelKey(_ text: String) -> Bool {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        if parts.count == 2, !isDNS1123Subdomain(String(parts[0])) { return false }
        guard let name = parts.last, !name.isEmpty else { return false }
        return isLabelValue(String(name))
    }

    /// A label value: empty, or at most 63 alphanumerics, `-`, `_` and `.`, starting and
    /// ending alphanumeric.
    public static func isLabelValue(_ text: String) -> Bool {
        guard let first = text.first, let last = text.last else { return true }
        func alnum(_ c: Character) -> Bool { c.isASCII && (c.isLetter || c.isNumber) }
        return text.count <= 63 && alnum(first) && alnum(last) && text.allSatisfy { alnum($0) || $0 == "-" || $0 == "_" || $0 == "." }
    }

    private static let tokenSymbols = Set("!#$%&'*+-.^_`|~")

    /// An HTTP field name (RFC 9110 `token`).
    public static func isHTTPToken(_ text: String) -> Bool {
        !text.isEmpty && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || tokenSymbols.contains($0)) }
    }

    /// An OAuth scope token (RFC 6749 §3.3): printable ASCII except space, `"` and `\`.
    public static func isScopeToken(_ text: String) -> Bool {
        !text.isEmpty && text.unicodeScalars.allSatisfy { scalar in
            (0x21...0x7E).contains(scalar.value) && scalar != "\"" && scalar != "\\"
        }
    }

    /// A C identifier as Kubernetes requires for environment variable names.
    public static func isEnvVarName(_ text: String) -> Bool {
        guard let first = text.first, !first.isNumber else { return false }
        return text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" || $0 == ".") }
    }

    /// A stable identifier: non-empty, no whitespace, at most `maxLength` characters.
    public static func isIdentifier(_ text: String, maxLength: Int = 128) -> Bool {
        !text.isEmpty && text.count <= maxLength && !text.contains(where: \.isWhitespace)
    }

    /// A non-negative integer or percentage, as Deployment `maxSurge`/`maxUnavailable`.
    public static func isIntOrPercent(_ text: String) -> Bool {
        let digits = text.hasSuffix("%") ? String(text.dropLast()) : text
        return !digits.isEmpty && digits.allSatisfy(\.isASCII) && digits.allSatisfy(\.isNumber)
    }

    /// True when an image reference already names a tag or a digest.
    public static func imageHasTagOrDigest(_ image: String) -> Bool {
        if image.contains("@") { return true }
        guard let colon = image.lastIndex(of: ":") else { return false }
        guard let slash = image.lastIndex(of: "/") else { return true }
        return colon > slash
    }

    /// A Kubernetes resource quantity such as `500m`, `1.5`, `256Mi` or `1e3`.
    public static func isQuantity(_ text: String) -> Bool {
        var rest = Substring(text)
        if let first = rest.first, first == "+" || first == "-" { rest = rest.dropFirst() }
        let number = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
        guard !number.isEmpty, number.filter({ $0 == "." }).count <= 1, number != "." else { return false }
        let suffix = rest.dropFirst(number.count)
        let binary: Set<Substring> = ["Ki", "Mi", "Gi", "Ti", "Pi", "Ei"]
        let decimal: Set<Substring> = ["", "n", "u", "m", "k", "M", "G", "T", "P", "E"]
        if binary.contains(suffix) || decimal.contains(suffix) { return true }
        // Decimal exponent: e or E, an optional sign, digits.
        guard let marker = suffix.first, marker == "e" || marker == "E" else { return false }
        var exponent = suffix.dropFirst()
        if let sign = exponent.first, sign == "+" || sign == "-" { exponent = exponent.dropFirst() }
        return !exponent.isEmpty && exponent.allSatisfy { $0.isASCII && $0.isNumber }
    }

    /// Parses an RFC 3339 timestamp (with or without fractional seconds).
    public static func parseTimestamp(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text)
    }

    /// Formats a date as RFC 3339 in UTC with second precision, as Kubernetes does.
    public static func formatTimestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }

    /// Parses a Go duration (`90s`, `1h30m`, `1.5h`, `250ms`) into seconds.
    public static func parseDuration(_ text: String) -> Double? {
        if text == "0" { return 0 }
        let units: [(String, Double)] = [
            ("ns", 1e-9), ("us", 1e-6), ("µs", 1e-6), ("ms", 1e-3), ("s", 1), ("m", 60), ("h", 3600),
        ]
        var rest = Substring(text)
        var total = 0.0
        guard !rest.isEmpty else { return nil }
        while !rest.isEmpty {
            let number = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            guard !number.isEmpty, let value = Double(number) else { return nil }
            rest = rest.dropFirst(number.count)
            // Longest unit first so that "ms" wins over "m".
            guard let (unit, scale) = units.sorted(by: { $0.0.count > $1.0.count }).first(where: { rest.hasPrefix($0.0) }) else {
                return nil
            }
            rest = rest.dropFirst(unit.count)
            total += value * scale
        }
        return total
    }

    /// An origin as `scheme://host[:port]`: lowercased, default port dropped; nil if the
    /// text is not an http(s) origin (a path other than `/`, a query or user info).
    public static func normalizedOrigin(_ text: String) -> String? {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
              scheme == "https" || scheme == "http", let hostRange = components.rangeOfHost,
              !text[hostRange].isEmpty, components.percentEncodedPath.isEmpty || components.percentEncodedPath == "/",
              components.query == nil, components.fragment == nil, components.user == nil
        else { return nil }
        var origin = "\(scheme)://\(text[hostRange].lowercased())"
        if let port = components.port, !(scheme == "https" && port == 443), !(scheme == "http" && port == 80) {
            origin += ":\(port)"
        }
        return origin
    }
}
