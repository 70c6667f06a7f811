import MCPPolicy
import StrictJSON

/// Removes from one JSON-RPC message the list entries a caller may not use: the
/// `result.tools`, `result.resources`, `result.resourceTemplates` and `result.prompts` of
/// a list answer. The message is read strictly (`StrictJSONReader`), so that the client's
/// parser cannot see an entry or a list the filter did not: duplicate members, invalid
/// UTF-8, a member that differs from `result` or a list's name only in case (which
/// case-insensitive decoders take for it) refuse the whole message. An entry without its
/// identifying string member (`name`, `uri`, `uriTemplate`), or with a second one spelt in
/// another case, is removed. Everything else is kept byte for byte, `nextCursor` included.
public struct ListAnswerFilter: Sendable {
    /// Whether the caller may use an item; false removes its entry.
    public typealias Permits = @Sendable (GovernedItem) -> Bool

    public enum Outcome: Sendable, Equatable {
        /// Nothing to remove: send the message as it came.
        case unchanged
        /// The message without the entries of `removed`.
        case rewritten([UInt8], removed: [GovernedItem])
        /// Not a message the filter can vouch for: never sent on.
        case refused(String)
    }

    /// A list of a result: the member that names each entry, what an entry is, and both
    /// names as case-insensitive decoders compare them.
    struct List: Sendable {
        var name: String
        var member: String
        var item: @Sendable (String) -> GovernedItem
        var foldedName: String { name.lowercased() }
        var foldedMember: String { member.lowercased() }
    }

    static let lists: [String: List] = Dictionary(uniqueKeysWithValues: [
        List(name: "tools", member: "name", item: GovernedItem.tool),
        List(name: "resources", member: "uri", item: GovernedItem.resource),
        List(name: "resourceTemplates", member: "uriTemplate", item: GovernedItem.resourceTemplate),
        List(name: "prompts", member: "name", item: GovernedItem.prompt),
    ].map { ($0.name, $0) })
    /// (name, folded name) of each list, folded once.
    private static let foldedLists = lists.values.map { ($0.name, $0.foldedName) }

    public let permits: Permits

    public init(permits: @escaping Permits) {
        self.permits = permits
    }

    /// Filters one message (a JSON answer's body, or one event's data): a quick scan
    /// (`ListAnswerScan`) first, the strict reading only for a message that may carry a list.
    public func filter(_ message: some Collection<UInt8>) -> Outcome {
        // Most answers are no list answer, which one quick pass shows.
        var scan = ListAnswerScan()
        guard scan.feed(message) else { return .unchanged }
        let bytes = Array(message)
        var removals: [Removal] = []
        do throws(StrictJSONError) {
            let ambiguity: String? = try StrictJSONReader.read(bytes) { reader throws(StrictJSONError) in
                // A lone scalar has nothing to hide; an array may be a batch of answers.
                switch try reader.peek() {
                case .object: break
                case .array: return "a batch of messages cannot be filtered"
                default:
                    try reader.skipValue(depth: 0)
                    return nil
                }
                var ambiguity: String?
                try reader.readObject(depth: 0) { reader, name throws(StrictJSONError) in
                    if name == "result", try reader.peek() == .object {
                        try reader.readObject(depth: 1) { reader, member throws(StrictJSONError) in
                            if let list = Self.lists[member], try reader.peek() == .array {
                                try readList(&reader, list, into: &removals)
                                return
                            }
                            if ambiguity == nil, let (list, _) = Self.foldedLists.first(where: { StrictJSONReader.folds(member, onto: $0.1) }), list != member {
                                ambiguity = "the result member \"\(member)\" differs from \"\(list)\" only in case"
                            }
                            try reader.skipValue(depth: 2)
                        }
                        return
                    }
                    if ambiguity == nil, name != "result", StrictJSONReader.folds(name, onto: "result") {
                        ambiguity = "the member \"\(name)\" differs from \"result\" only in case"
                    }
                    try reader.skipValue(depth: 1)
                }
                return ambiguity
            }
            if let ambiguity { return .refused(ambiguity) }
        } catch {
            return .refused(error.description)
        }
        guard !removals.isEmpty else { return .unchanged }
        return .rewritten(Self.splice(bytes, removals), removed: removals.compactMap(\.item))
    }

    /// One entry to cut: its bytes, and what it named (nil: nothing it could be used by).
    struct Removal {
        var range: Range<Int>
        var item: GovernedItem?
    }

    private func readList(_ reader: inout StrictJSONReader, _ list: List, into removals: inout [Removal]) throws(StrictJSONError) {
        let member = list.member
        let folded = list.foldedMember
        try reader.readArray(depth: 2) { reader throws(StrictJSONError) in
            let kind = try reader.peek()
            let start = reader.offset
            var named: String?
            var ambiguous = false
            if kind == .object {
                try reader.readObject(depth: 3) { reader, name throws(StrictJSONError) in
                    if name == member, try reader.peek() == .string {
                        named = try reader.readString()
                        return
                    }
                    if StrictJSONReader.folds(name, onto: folded) { ambiguous = true }
                    try reader.skipValue(depth: 4)
                }
            } else {
                try reader.skipValue(depth: 3)
            }
            let entry = ambiguous ? nil : named.map(list.item)
            if !(entry.map(permits) ?? false) { removals.append(Removal(range: start..<reader.offset, item: entry)) }
        }
    }

    /// The bytes without the removed entries, each list's separators mended.
    static func splice(_ bytes: [UInt8], _ removals: [Removal]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var position = 0
        for removal in removals {
            output += bytes[position..<removal.range.lowerBound]
            position = removal.range.upperBound
            // The separator: the comma after the entry, or else the one before it.
            var next = position
            while next < bytes.count, Self.isWhitespace(bytes[next]) { next += 1 }
            if next < bytes.count, bytes[next] == UInt8(ascii: ",") {
                position = next + 1
            } else {
                var end = output.count
                while end > 0, Self.isWhitespace(output[end - 1]) { end -= 1 }
                if end > 0, output[end - 1] == UInt8(ascii: ",") { output.removeSubrange((end - 1)...) }
            }
        }
        output += bytes[position...]
        return output
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }
}
