import MCPAuth

/// How the upstream's answer to one request is filtered for its caller: list entries the
/// caller may not use are removed (`ListAnswerFilter`) from a JSON body or from each event
/// of a stream (`EventStreamFilter`). Set by the pipeline on every answer of a governed
/// caller, not only on list requests: a server may send a list answer down another
/// request's stream (the SDK's streams are keyed by the id's text, so a `ping` with the
/// id `"7"` takes over the answer to `tools/list` with id `7`), and a resumed GET stream may
/// replay one. A quick scan (`ListAnswerScan`) leaves answers without a list untouched.
/// Observing, nothing is removed and the audit says what would have been.
public struct AnswerFilter: Sendable {
    public let entries: ListAnswerFilter
    public let observeOnly: Bool
    /// The request lists (`listMethods`): its JSON answer is read whole, to be rewritten.
    /// Any other request's JSON answer that arrives in pieces is relayed as it comes,
    /// scanned, and cut off before a list it may carry (`ListAnswerScan`).
    public let listRequest: Bool

    public init(entries: ListAnswerFilter, observeOnly: Bool, listRequest: Bool = true) {
        self.entries = entries
        self.observeOnly = observeOnly
        self.listRequest = listRequest
    }

    /// The requests whose answers are filtered: the list methods, by their result's list.
    public static let listMethods: Set<String> = ["tools/list", "resources/list", "resources/templates/list", "prompts/list"]

    /// What an answer's head says of its body, for the filter.
    public enum Framing: Sendable, Equatable {
        /// Not a success (its body is no result), or a success without a body type that
        /// could carry one: sent on as it came.
        case passThrough
        case json
        case eventStream
        /// A success the filter cannot read (another type, a content coding, a type given
        /// twice): never sent on.
        case unreadable(String)
    }

    /// The framing of an answer with `status` and `headers`.
    public static func framing(status: Int, headers: some Sequence<(name: String, value: String)>) -> Framing {
        guard (200..<300).contains(status), status != 204 else { return .passThrough }
        var types: [String] = []
        for (name, value) in headers {
            if name.equalsIgnoringASCIICase("content-encoding"), !value.trimmingSpaces.equalsIgnoringASCIICase("identity") {
                return .unreadable("the answer has a content coding (\(value))")
            }
            if name.equalsIgnoringASCIICase("content-type") { types.append(value) }
        }
        guard types.count <= 1 else { return .unreadable("the answer gives its type more than once") }
        guard let type = types.first else { return status == 202 ? .passThrough : .unreadable("the answer gives no type") }
        let parts = type.split(separator: ";", omittingEmptySubsequences: false).map(\.trimmingSpaces)
        let media = parts[0]
        // Read as UTF-8, so the client must read it so too: a charset (UTF-16, Shift JIS)
        // would give it other characters, and any other parameter is unknown here.
        for parameter in parts.dropFirst() where !parameter.isEmpty {
            let pair = parameter.split(separator: "=", maxSplits: 1).map(\.trimmingSpaces)
            let value = pair.count == 2 && pair[1].hasPrefix("\"") && pair[1].hasSuffix("\"") && pair[1].count >= 2 ? String(pair[1].dropFirst().dropLast()) : pair.last ?? ""
            guard pair.count == 2, pair[0].equalsIgnoringASCIICase("charset"), value.equalsIgnoringASCIICase("utf-8") else {
                return .unreadable("an answer of type \(type) cannot be filtered as UTF-8")
            }
        }
        if media.equalsIgnoringASCIICase("application/json") { return .json }
        if media.equalsIgnoringASCIICase("text/event-stream") { return .eventStream }
        return .unreadable("an answer of type \(media) cannot be filtered")
    }

    /// A whole JSON body: what to send, and what was (or, observing, would have been) removed.
    public enum BodyOutcome: Sendable, Equatable {
        case send([UInt8]?, removed: [String])
        case refused(String)
    }

    /// Filters a whole JSON body; `send(nil, …)` sends the body as it came.
    public func filterJSON(_ body: some Collection<UInt8>) -> BodyOutcome {
        if body.isEmpty { return .send(nil, removed: []) }
        switch entries.filter(body) {
        case .unchanged: return .send(nil, removed: [])
        case .refused(let why): return .refused(why)
        case .rewritten(let bytes, let removed): return .send(observeOnly ? nil : bytes, removed: removed.map(\.label))
        }
    }

    /// A filter for one event stream.
    public func eventStream() -> EventStreamFilter {
        EventStreamFilter(entries, observeOnly: observeOnly)
    }
}
