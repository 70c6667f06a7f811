import Foundation
import KubeCore

/// What the proxy needs to know of a POSTed MCP message: is it a `tools/call`, of which
/// tool, with which id. Everything else passes through unread.
public enum JSONRPCMessage: Sendable, Hashable {
    /// A request or notification.
    case request(method: String, id: JSONValue?, toolName: String?)
    /// A response to a server-initiated request (it has a result or an error).
    case response(id: JSONValue?)
    /// A JSON array: batches are refused (400).
    case batch
    /// Not JSON-RPC (400), with why.
    case invalid(String)

    public static let toolsCall = "tools/call"

    /// Classifies a request body.
    public static func inspect(_ body: Data) -> JSONRPCMessage {
        guard let value = try? JSONDecoder().decode(JSONValue.self, from: body) else {
            return .invalid("the body is not JSON")
        }
        switch value {
        case .array:
            return .batch
        case .object(let members):
            let id = members["id"]
            if let method = members["method"] {
                guard case .string(let name) = method else { return .invalid("\"method\" is not a string") }
                guard name == toolsCall else { return .request(method: name, id: id, toolName: nil) }
                guard case .string(let tool)? = members["params"]?["name"], !tool.isEmpty else {
                    return .invalid("tools/call needs params.name")
                }
                return .request(method: name, id: id, toolName: tool)
            }
            if members["result"] != nil || members["error"] != nil { return .response(id: id) }
            return .invalid("neither a request nor a response")
        default:
            return .invalid("a JSON-RPC message is an object")
        }
    }

    /// The id to echo in an error answering this message.
    public var id: JSONValue? {
        switch self {
        case .request(_, let id, _), .response(let id): id
        case .batch, .invalid: nil
        }
    }
}

/// JSON-RPC error bodies for refusals, carrying the request id and the reason.
public enum JSONRPCErrorBody {
    /// `-32600` invalid request, `-32602` invalid params, `-32001` refused by policy.
    public static func make(id: JSONValue?, code: Int, message: String, data: [String: JSONValue] = [:]) -> Data {
        var error: [String: JSONValue] = ["code": .int(Int64(code)), "message": .string(message)]
        if !data.isEmpty { error["data"] = .object(data) }
        let body: JSONValue = .object(["jsonrpc": .string("2.0"), "id": id ?? .null, "error": .object(error)])
        return (try? KubeJSON.encode(body)) ?? Data()
    }
}
