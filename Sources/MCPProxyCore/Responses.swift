import Foundation
import KubeCore
import MCPAuth

/// The proxy's own answers: OAuth-style JSON for authentication problems, JSON-RPC
/// errors (with the request id) for refused messages.
public enum Responses {
    static let json = (name: "Content-Type", value: "application/json")

    static func oauthError(_ status: Int, _ error: String, _ description: String, challenge: BearerChallenge? = nil) -> ProxyResponse {
        var headers = [json]
        if let challenge { headers.append((name: "WWW-Authenticate", value: challenge.headerValue)) }
        headers.append((name: "Access-Control-Expose-Headers", value: "WWW-Authenticate"))
        let body = JSONValue.object(["error": .string(error), "error_description": .string(description)])
        return ProxyResponse(status: status, headers: headers, body: (try? KubeJSON.encode(body)) ?? Data())
    }

    static func jsonRPCError(_ status: Int, id: JSONValue?, code: Int, message: String, data: [String: JSONValue] = [:], challenge: BearerChallenge? = nil) -> ProxyResponse {
        var headers = [json]
        if let challenge {
            headers.append((name: "WWW-Authenticate", value: challenge.headerValue))
            headers.append((name: "Access-Control-Expose-Headers", value: "WWW-Authenticate"))
        }
        return ProxyResponse(status: status, headers: headers, body: JSONRPCErrorBody.make(id: id, code: code, message: message, data: data))
    }

    /// `{"error": …, "error_description": …}` as JSON.
    public static func plain(_ status: Int, _ error: String, _ description: String) -> ProxyResponse {
        let body = JSONValue.object(["error": .string(error), "error_description": .string(description)])
        return ProxyResponse(status: status, headers: [json], body: (try? KubeJSON.encode(body)) ?? Data())
    }
}
