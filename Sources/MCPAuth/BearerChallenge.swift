/// A `WWW-Authenticate: Bearer ...` challenge (RFC 6750 §3, RFC 9728 §5.1) as the proxy
/// sends it: one line, each parameter once, `resource_metadata` and `scope` first.
public struct BearerChallenge: Sendable, Hashable {
    /// RFC 6750 error codes.
    public enum ErrorCode: String, Sendable {
        case invalidRequest = "invalid_request"
        case invalidToken = "invalid_token"
        case insufficientScope = "insufficient_scope"
    }

    public var resourceMetadata: String?
    public var scope: [String]
    public var error: ErrorCode?
    public var errorDescription: String?

    public init(resourceMetadata: String?, scope: [String], error: ErrorCode? = nil, errorDescription: String? = nil) {
        self.resourceMetadata = resourceMetadata
        self.scope = scope
        self.error = error
        self.errorDescription = errorDescription
    }

    /// The header value, e.g. `Bearer resource_metadata="https://…", scope="mcp:tools", error="invalid_token"`.
    public var headerValue: String {
        var parameters: [String] = []
        if let resourceMetadata { parameters.append("resource_metadata=\(Self.quoted(resourceMetadata))") }
        if !scope.isEmpty { parameters.append("scope=\(Self.quoted(scope.joined(separator: " ")))") }
        if let error { parameters.append("error=\(Self.quoted(error.rawValue))") }
        if let errorDescription {
            // Clients find parameters with loose patterns: never let a description look like
            // one. Read by scalar, as header parsers read it: a `"` that a combining mark
            // follows (or a prepended mark precedes) is one Character, and still a quote.
            var safe = String.UnicodeScalarView()
            for scalar in errorDescription.unicodeScalars {
                switch scalar.value {
                case 0x3D: safe.append(" ")  // =
                case 0x22, 0x5C, 0x00..<0x20, 0x7F, 0x85, 0x2028, 0x2029: continue  // quote, backslash, controls, line breaks
                default: safe.append(scalar)
                }
            }
            parameters.append("error_description=\(Self.quoted(String(safe)))")
        }
        return parameters.isEmpty ? "Bearer" : "Bearer " + parameters.joined(separator: ", ")
    }

    /// A quoted-string, `"` and `\\` escaped wherever they are, in a Character of their own or not.
    static func quoted(_ value: String) -> String {
        var quoted = String.UnicodeScalarView(["\""])
        for scalar in value.unicodeScalars {
            if scalar == "\"" || scalar == "\\" { quoted.append("\\") }
            quoted.append(scalar)
        }
        quoted.append("\"")
        return String(quoted)
    }
}
