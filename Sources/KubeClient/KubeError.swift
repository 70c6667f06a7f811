import Foundation
import KubeCore

/// `metav1.Status`, the body of every API error.
public struct APIStatus: Codable, Sendable, Hashable {
    public var code: Int?
    /// `NotFound`, `AlreadyExists`, `Conflict`, `Invalid`, `Expired`, `Gone`, …
    public var reason: String?
    public var message: String?
    public var details: Details?

    public struct Details: Codable, Sendable, Hashable {
        public var name: String?
        public var kind: String?
        public var causes: [Cause]?
        public var retryAfterSeconds: Int?
    }

    /// One field problem of a 422 `Invalid`.
    public struct Cause: Codable, Sendable, Hashable {
        public var reason: String?
        public var message: String?
        public var field: String?
    }
}

/// A failed API call, typed by what a caller does about it.
public enum KubeError: Error, Sendable, CustomStringConvertible {
    case notFound(APIStatus)
    /// 409: `AlreadyExists` on create, `Conflict` on a stale `resourceVersion`.
    case conflict(APIStatus)
    /// 410: the `resourceVersion` is too old to watch from; relist.
    case gone(APIStatus)
    /// 422, with the field causes.
    case invalid(APIStatus)
    case unauthorized(APIStatus)
    case forbidden(APIStatus)
    /// 429 and 5xx: retried with backoff.
    case unavailable(APIStatus)
    /// Any other status.
    case rejected(APIStatus)
    /// No HTTP answer (connection, TLS, timeout): retried with backoff.
    case transport(TransportError)
    /// An answer the client cannot read.
    case decoding(String)
    /// The client's own configuration (token file, …).
    case configuration(ConfigurationError)

    /// Types an error response from its status code and `Status` body (or a made-up one).
    static func from(status: Int, body: Data) -> KubeError {
        var decoded = (try? JSONDecoder().decode(APIStatus.self, from: body)) ?? APIStatus()
        if decoded.message == nil {
            decoded.message = String(decoding: body.prefix(512), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return from(status: status, decoded)
    }

    /// Types a `Status` already decoded (a watch `ERROR` event carries one).
    static func from(status: Int, _ decoded: APIStatus) -> KubeError {
        var decoded = decoded
        if decoded.code == nil { decoded.code = status }
        switch status {
        case 404: return .notFound(decoded)
        case 409: return .conflict(decoded)
        case 410: return .gone(decoded)
        case 422: return .invalid(decoded)
        case 401: return .unauthorized(decoded)
        case 403: return .forbidden(decoded)
        case 429, 500...599: return .unavailable(decoded)
        default: return .rejected(decoded)
        }
    }

    public var status: APIStatus? {
        switch self {
        case .notFound(let s), .conflict(let s), .gone(let s), .invalid(let s), .unauthorized(let s), .forbidden(let s), .unavailable(let s), .rejected(let s): s
        case .transport, .decoding, .configuration: nil
        }
    }

    /// Worth retrying the same request after a pause.
    public var isRetryable: Bool {
        switch self {
        case .unavailable, .transport: true
        default: false
        }
    }

    public var description: String {
        switch self {
        case .transport(let error): return "cannot reach the API server: \(error)"
        case .decoding(let why): return "unreadable answer from the API server: \(why)"
        case .configuration(let error): return error.description
        default:
            let status = status ?? APIStatus()
            var text = "HTTP \(status.code ?? 0) \(status.reason ?? ""): \(status.message ?? "")"
            for cause in status.details?.causes ?? [] {
                text += "\n  \(cause.field ?? "-"): \(cause.message ?? cause.reason ?? "")"
            }
            return text
        }
    }
}
