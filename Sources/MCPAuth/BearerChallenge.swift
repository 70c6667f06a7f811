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
            // Clients find parameters with loose patterns: never let a description look like one.
            let safe = errorDescription.replacingOccurrences(of: "=", with: " ").filter { $0 != "\"" && $0 != "\\" && !$0.isNewline }
            parameters.append("error_description=\(Self.quoted(safe))")
        }
        return parameters.isEmpty ? "Bearer" : "Bearer " + parameters.joined(separator: ", ")
    }

    static func quoted(_ value: String) -> String {
        "\"" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
