import Foundation
import MCPAuth
import MCPPolicy

/// A request as the pipeline sees it: no sockets, the body already read when it matters.
public struct InboundRequest: Sendable {
    public var method: String
    /// The path of the request target, without the query.
    public var path: String
    public var query: String?
    /// Header fields in order, names in any case, repeats kept.
    public var headers: [(name: String, value: String)]
    /// The body of a POST, read up to the configured limit.
    public var body: Data?
    /// True when the POST body was larger than the limit (it was not read further).
    public var bodyTooLarge: Bool

    public init(method: String, path: String, query: String? = nil, headers: [(name: String, value: String)] = [], body: Data? = nil, bodyTooLarge: Bool = false) {
        // Methods are case-sensitive (RFC 9110 §9.1): `get` is no GET, here or upstream.
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.bodyTooLarge = bodyTooLarge
    }

    /// Whether the request's framing announces a body (a non-zero `Content-Length`, or any
    /// `Transfer-Encoding`), whether or not it was read.
    public var declaresBody: Bool {
        !values("Transfer-Encoding").isEmpty || values("Content-Length").contains { Int($0.trimmingCharacters(in: .whitespaces)) != 0 }
    }

    /// The values of a header, by case-insensitive name.
    public func values(_ name: String) -> [String] {
        headers.filter { $0.name.equalsIgnoringASCIICase(name) }.map(\.value)
    }
}

/// An answer the proxy gives itself, without the upstream.
public struct ProxyResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: Data

    public init(status: Int, headers: [(name: String, value: String)] = [], body: Data = Data()) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The first value of a header, by case-insensitive name.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.equalsIgnoringASCIICase(name) }?.value
    }
}

/// How to forward an allowed request: where, and with exactly which headers.
public struct ForwardPlan: Sendable {
    public var upstreamURL: String
    /// Seals the upstream's `Mcp-Session-Id` in its answer for this caller.
    public var sessionSealer: SessionSealer?
    /// Whose upstream connections may carry the request: only the same caller's.
    public var connectionPartition = ""
    /// The client's headers without credentials, identity or hop-by-hop fields, plus the
    /// resolved identity and the upstream credential.
    public var headers: [(name: String, value: String)]
    /// Added to the upstream's response (CORS for an allowed browser Origin).
    public var responseHeaders: [(name: String, value: String)]
    /// Removes from the answer what the caller may not use (list answers, event streams).
    public var answerFilter: AnswerFilter?
}

/// `SessionBinding.seal` for one caller.
public struct SessionSealer: Sendable {
    let binding: SessionBinding
    let caller: CallerIdentity
    let issuer: String?

    public func seal(_ upstreamID: String) -> String {
        binding.seal(upstreamID, caller: caller, issuer: issuer)
    }
}

public enum PipelineOutcome: Sendable {
    case respond(ProxyResponse)
    case forward(ForwardPlan)
}
