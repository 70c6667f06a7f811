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

    /// Classifies a request body. Only the envelope is decoded (`method`, `id`,
    /// `params.name`, whether `result` or `error` is present): a tool's arguments, however
    /// large, are never parsed here.
    public static func inspect(_ body: Data) -> JSONRPCMessage {
        do {
            return try JSONDecoder().decode(Envelope.self, from: body).message
        } catch {
            return .invalid("the body is not JSON")
        }
    }

    /// The top level of a body, decoded as little as the classification needs.
    private struct Envelope: Decodable {
        var message: JSONRPCMessage

        enum Key: String, CodingKey { case method, id, params, result, error }
        enum ParamsKey: String, CodingKey { case name }

        init(from decoder: any Decoder) throws {
            guard let members = try? decoder.container(keyedBy: Key.self) else {
                // Not an object: an array is a batch; any other JSON value is not JSON-RPC.
                message = (try? decoder.unkeyedContainer()) != nil ? .batch : .invalid("a JSON-RPC message is an object")
                return
            }
            let id = try members.decodeIfPresent(JSONValue.self, forKey: .id)
            guard members.contains(.method) else {
                message = members.contains(.result) || members.contains(.error) ? .response(id: id) : .invalid("neither a request nor a response")
                return
            }
            guard let name = try? members.decode(String.self, forKey: .method) else {
                message = .invalid("\"method\" is not a string")
                return
            }
            guard name == toolsCall else {
                message = .request(method: name, id: id, toolName: nil)
                return
            }
            let params = try? members.nestedContainer(keyedBy: ParamsKey.self, forKey: .params)
            guard let tool = params.flatMap({ try? $0.decode(String.self, forKey: .name) }), !tool.isEmpty else {
                message = .invalid("tools/call needs params.name")
                return
            }
            message = .request(method: name, id: id, toolName: tool)
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
