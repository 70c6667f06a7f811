import StrictJSON
import Foundation
import KubeCore

/// What the proxy needs to know of a POSTed MCP message: its method, its id, and what a
/// governed method is about. Everything else passes through unread.
public enum JSONRPCMessage: Sendable, Hashable {
    /// A request or notification. `target`: `params.name` of `tools/call` and
    /// `prompts/get`, `params.uri` of `resources/read`, `resources/subscribe` and
    /// `resources/unsubscribe` (required, non-empty strings); nil for other methods.
    /// `reference`: what `completion/complete` completes (`params.ref`).
    case request(method: String, id: JSONValue?, target: String?, reference: CompletionReference? = nil)

    /// The prompt or resource (template) a `completion/complete` names in `params.ref`.
    public enum CompletionReference: Sendable, Hashable {
        case prompt(String)
        case resource(String)
    }

    public static let completionComplete = "completion/complete"
    /// A response to a server-initiated request (it has a result or an error).
    case response(id: JSONValue?)
    /// A JSON array: batches are refused (400).
    case batch
    /// Not JSON-RPC (400), with why.
    case invalid(String)

    public static let toolsCall = "tools/call"

    /// The governed methods and the `params` member that names what each is about.
    public static let targetMembers: [String: String] = [
        toolsCall: "name", "prompts/get": "name",
        "resources/read": "uri", "resources/subscribe": "uri", "resources/unsubscribe": "uri",
    ]

    /// Classifies a request body, read strictly (`StrictJSONReader`: duplicate members,
    /// invalid UTF-8, lone surrogates, trailing data and the like are refused), so that every
    /// parser an upstream may use sees the same `method`, `id` and `params.name` as the
    /// proxy. A member of the envelope (`method`, `params.name`, ...) spelt in another case,
    /// which case-insensitive decoders would take for it, is refused too. Only the envelope
    /// is materialized: a tool's arguments are validated and skipped.
    public static func inspect(_ body: some Sequence<UInt8>) -> JSONRPCMessage {
        do throws(StrictJSONError) {
            return try StrictJSONReader.read(body) { reader throws(StrictJSONError) in
                switch try reader.peek() {
                case .object:
                    var envelope = Envelope()
                    try reader.readObject(depth: 0) { reader, name throws(StrictJSONError) in try envelope.read(name, from: &reader) }
                    return envelope.message
                case .array:
                    try reader.skipValue(depth: 0)
                    return .batch
                default:
                    try reader.skipValue(depth: 0)
                    return .invalid("a JSON-RPC message is an object")
                }
            }
        } catch {
            return .invalid(error.description)
        }
    }

    /// The members of the top level that classification needs, as read.
    private struct Envelope {
        enum Member<Value> {
            case absent
            case value(Value)
            case otherType
        }

        var method = Member<String>.absent
        var id = Member<JSONValue>.absent
        var name = Member<String>.absent
        var uri = Member<String>.absent
        var reference = Member<CompletionReference>.absent
        var paramsIsObject = false
        var hasResult = false
        var ambiguous: String?

        static let members: Set<String> = ["jsonrpc", "method", "id", "params", "result", "error"]

        mutating func read(_ name: String, from reader: inout StrictJSONReader) throws(StrictJSONError) {
            switch name {
            case "method":
                method = try reader.peek() == .string ? .value(try reader.readString()) : .otherType
                if case .otherType = method { try reader.skipValue(depth: 1) }
            case "id":
                id = try Self.id(&reader)
            case "params":
                guard try reader.peek() == .object else { return try reader.skipValue(depth: 1) }
                paramsIsObject = true
                try reader.readObject(depth: 1) { reader, member throws(StrictJSONError) in
                    switch member {
                    case "name": self.name = try Self.string(&reader)
                    case "uri": uri = try Self.string(&reader)
                    case "ref": try readReference(&reader)
                    default:
                        if ambiguous == nil, ["name", "uri", "ref"].contains(Self.folded(member)) { ambiguous = "params.\(member)" }
                        try reader.skipValue(depth: 2)
                    }
                }
            case "result", "error":
                hasResult = true
                try reader.skipValue(depth: 1)
            default:
                if ambiguous == nil, !Self.members.contains(name), Self.members.contains(Self.folded(name)) { ambiguous = name }
                try reader.skipValue(depth: 1)
            }
        }

        /// `params.ref` of `completion/complete`: `{type: "ref/prompt", name}` or
        /// `{type: "ref/resource", uri}`; anything else is no reference.
        mutating func readReference(_ reader: inout StrictJSONReader) throws(StrictJSONError) {
            guard try reader.peek() == .object else {
                reference = .otherType
                return try reader.skipValue(depth: 2)
            }
            var type = Member<String>.absent, name = Member<String>.absent, uri = Member<String>.absent
            try reader.readObject(depth: 2) { reader, member throws(StrictJSONError) in
                switch member {
                case "type": type = try Self.string(&reader, depth: 3)
                case "name": name = try Self.string(&reader, depth: 3)
                case "uri": uri = try Self.string(&reader, depth: 3)
                default:
                    if ambiguous == nil, ["type", "name", "uri"].contains(Self.folded(member)) { ambiguous = "params.ref.\(member)" }
                    try reader.skipValue(depth: 3)
                }
            }
            switch (type, name, uri) {
            case (.value("ref/prompt"), .value(let name), _) where !name.isEmpty: reference = .value(.prompt(name))
            case (.value("ref/resource"), _, .value(let uri)) where !uri.isEmpty: reference = .value(.resource(uri))
            default: reference = .otherType
            }
        }

        /// A string member of `params`.
        static func string(_ reader: inout StrictJSONReader, depth: Int = 2) throws(StrictJSONError) -> Member<String> {
            guard try reader.peek() == .string else {
                try reader.skipValue(depth: depth)
                return .otherType
            }
            return .value(try reader.readString())
        }

        /// MCP ids are strings or integers; null only answers a message that had none.
        static func id(_ reader: inout StrictJSONReader) throws(StrictJSONError) -> Member<JSONValue> {
            switch try reader.peek() {
            case .string:
                return .value(.string(try reader.readString()))
            case .number:
                let number = try reader.readNumber()
                guard number.isInteger, let value = Int64(number.text) else { return .otherType }
                return .value(.int(value))
            case .null:
                try reader.skipValue(depth: 1)
                return .value(.null)
            default:
                try reader.skipValue(depth: 1)
                return .otherType
            }
        }

        static func folded(_ name: String) -> String {
            StrictJSONReader.folded(name)
        }

        var message: JSONRPCMessage {
            if let ambiguous { return .invalid("the member \"\(ambiguous)\" differs from a JSON-RPC member only in case") }
            let identifier: JSONValue?
            switch id {
            case .absent: identifier = nil
            case .value(let value): identifier = value
            case .otherType: return .invalid("\"id\" is neither a string nor an integer")
            }
            switch method {
            case .absent:
                return hasResult ? .response(id: identifier) : .invalid("neither a request nor a response")
            case .otherType:
                return .invalid("\"method\" is not a string")
            case .value(let method):
                if identifier == .null { return .invalid("a request's \"id\" is not null") }
                if method.utf8.contains(0) { return .invalid("\"method\" has a NUL") }
                if method == JSONRPCMessage.completionComplete {
                    // What it completes is governed as the prompt or resource itself.
                    guard paramsIsObject, case .value(let reference) = reference else { return .invalid("completion/complete needs params.ref naming a prompt or resource") }
                    return .request(method: method, id: identifier, target: nil, reference: reference)
                }
                guard let member = JSONRPCMessage.targetMembers[method] else { return .request(method: method, id: identifier, target: nil) }
                let value = member == "uri" ? uri : name
                guard paramsIsObject, case .value(let target) = value, !target.isEmpty else { return .invalid("\(method) needs params.\(member)") }
                if target.utf8.contains(0) { return .invalid("params.\(member) has a NUL") }
                return .request(method: method, id: identifier, target: target)
            }
        }
    }

    /// The id to echo in an error answering this message.
    public var id: JSONValue? {
        switch self {
        case .request(_, let id, _, _), .response(let id): id
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
