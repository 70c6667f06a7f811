import Foundation

/// What a request carries as its credential, after RFC 6750's rules.
public enum BearerCredential: Sendable, Hashable {
    /// No bearer credential: 401 with a challenge and no error.
    case absent
    case token(String)
    /// 400 `invalid_request`.
    case malformed(MalformedCredential)
}

public enum MalformedCredential: String, Sendable, Hashable {
    /// RFC 6750 §2.3 / MCP: tokens must not travel in URIs.
    case tokenInQuery = "token in the query string"
    /// More than one credential, or more than one method.
    case multipleCredentials = "more than one credential"
    case emptyBearer = "empty bearer token"
    case invalidCharacters = "bearer token is not token68"
}

/// Finds the bearer token of a request in its token header (case-insensitive scheme),
/// refusing tokens in the query string and requests with more than one credential.
public enum CredentialExtractor {
    /// - Parameters:
    ///   - headers: the request's header fields, names in any case, repeats kept.
    ///   - tokenHeader: the configured credential header (`Authorization` by default).
    ///   - query: the raw query string of the request target, if any.
    public static func extract(headers: [(name: String, value: String)], tokenHeader: String, query: String?) -> BearerCredential {
        if let query, queryCarriesToken(query) { return .malformed(.tokenInQuery) }
        let custom = !tokenHeader.equalsIgnoringASCIICase("authorization")
        let values = headers.filter { $0.name.equalsIgnoringASCIICase(tokenHeader) }.map(\.value)
        if custom, headers.contains(where: { $0.name.equalsIgnoringASCIICase("authorization") && isBearer($0.value) }), !values.isEmpty {
            return .malformed(.multipleCredentials)
        }
        guard !values.isEmpty else { return .absent }
        guard values.count == 1, let value = values.first, !value.utf8.contains(UInt8(ascii: ",")) else { return .malformed(.multipleCredentials) }
        let trimmed = value.trimmingSpaces
        let parts = trimmed.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        let token: Substring
        if let scheme = parts.first, scheme.equalsIgnoringASCIICase("bearer") {
            guard parts.count == 2 else { return .malformed(.emptyBearer) }
            token = Substring(parts[1].trimmingSpaces)
        } else if custom, parts.count == 1, let only = parts.first {
            // A dedicated token header may carry the bare token.
            token = only
        } else {
            // Another scheme (Basic, ...) is no bearer credential.
            return trimmed.isEmpty && custom ? .malformed(.emptyBearer) : .absent
        }
        guard !token.isEmpty else { return .malformed(.emptyBearer) }
        guard isToken68(token) else { return .malformed(.invalidCharacters) }
        return .token(String(token))
    }

    private static func isBearer(_ value: String) -> Bool {
        value.trimmingSpaces.lowercased().hasPrefix("bearer")
    }

    /// `access_token` among the query parameters, in any percent-encoding, with `&` or
    /// `;` (which some servers also split on) between them, and as PHP-style parsers
    /// read names: `+` a space, leading spaces dropped, space `.` `[` read as `_`, a
    /// trailing `[...]` dropped (`access.token`, `access_token[]`). Split over bytes, as
    /// servers split a query: `&` after a prepended mark (U+0600) is one Character with
    /// it, and still a separator to them.
    static func queryCarriesToken(_ query: String) -> Bool {
        query.utf8.split(whereSeparator: { $0 == UInt8(ascii: "&") || $0 == UInt8(ascii: ";") }).contains { item in
            let raw = item.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false).first ?? []
            let text = String(decoding: raw.map { $0 == UInt8(ascii: "+") ? UInt8(ascii: " ") : $0 }, as: UTF8.self)
            return parameterName(Array((text.removingPercentEncoding ?? text).utf8)).equalsIgnoringASCIICase("access_token")
        }
    }

    /// A decoded parameter name as the most lenient common parsers (PHP's) read it.
    static func parameterName(_ bytes: [UInt8]) -> String {
        var name = Array(bytes.drop(while: { $0 == UInt8(ascii: " ") }))
        if let open = name.firstIndex(of: UInt8(ascii: "[")) {
            if name[(open + 1)...].contains(UInt8(ascii: "]")) { name = Array(name[..<open]) } else { name[open] = UInt8(ascii: "_") }
        }
        return String(decoding: name.map { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: ".") ? UInt8(ascii: "_") : $0 }, as: UTF8.self)
    }

    /// RFC 7235 token68: `[A-Za-z0-9-._~+/]+=*`.
    static func isToken68(_ token: Substring) -> Bool {
        var sawPadding = false
        for byte in token.utf8 {
            if byte == UInt8(ascii: "=") { sawPadding = true; continue }
            if sawPadding { return false }
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "+"), UInt8(ascii: "/"):
                continue
            default:
                return false
            }
        }
        return !token.hasPrefix("=")
    }
}

extension StringProtocol {
    public var trimmingSpaces: String {
        var text = Substring(self)
        while let first = text.first, first == " " || first == "\t" { text = text.dropFirst() }
        while let last = text.last, last == " " || last == "\t" { text = text.dropLast() }
        return String(text)
    }
}
