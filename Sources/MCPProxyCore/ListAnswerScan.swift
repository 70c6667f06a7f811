import StrictJSON

/// Finds, in one pass over a JSON text that may arrive in pieces, whether it may carry a
/// list answer: a top-level member a decoder could take for `result` (its name unescaped
/// and case-folded as `StrictJSONReader.folds` says) whose value is an object with a member
/// it could take for `tools`, `resources`, `resourceTemplates` or `prompts`; or a top-level
/// array (a batch of answers); or anything after the top-level value. Nothing but those
/// member names is materialized and nothing is validated, so the scan costs a few
/// instructions a byte: every answer the proxy relays is scanned, and only a suspect one
/// is read strictly (`ListAnswerFilter`). Strings end where every JSON parser ends them
/// (an unescaped quote), so the scan and a client agree on which bytes are member names.
public struct ListAnswerScan: Sendable {
    /// True once the text may carry a list answer.
    public private(set) var suspect = false

    private var depth = 0
    /// Whether the container at depth 2 is an object that is a `result`'s value.
    private var inResult = false
    /// Whether the container at depth 1 or 2 (the current one) is an object.
    private var objects: (Bool, Bool) = (false, false)
    /// At depth 1 or 2 in an object, before a member name.
    private var expectingName = false
    /// The top-level member just named could be `result`: its value, if an object, is one.
    private var namedResult = false
    private var inString = false
    private var escaped = false
    /// Collecting the bytes of a member name at depth 1, or at depth 2 in a result.
    private var capturing = false
    private var name: [UInt8] = []
    /// The top-level value is complete (or, for a scalar, started): only whitespace may follow.
    private var done = false
    /// Within a top-level number or literal.
    private var inTopLiteral = false

    public init() {}

    /// Longer names cannot be one of the names looked for, however escaped.
    private static let maxName = 128
    /// The lists' names, folded: those of `ListAnswerFilter.lists`.
    private static let lists = ListAnswerFilter.lists.values.map(\.foldedName)

    /// Reads the next bytes; true when the text may carry a list answer.
    @discardableResult
    public mutating func feed(_ bytes: some Sequence<UInt8>) -> Bool {
        let contiguous = bytes.withContiguousStorageIfAvailable { buffer in feed(buffer) }
        return contiguous ?? feed(Array(bytes))
    }

    /// The loop, over contiguous bytes: string contents that are no member name looked
    /// for are skipped up to the next quote, backslash or control byte.
    private mutating func feed(_ buffer: UnsafeBufferPointer<UInt8>) -> Bool {
        var index = 0
        let count = buffer.count
        while index < count, !suspect {
            if inString, !capturing, !escaped {
                while index < count {
                    let byte = buffer[index]
                    if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20 { break }
                    index += 1
                }
                guard index < count else { break }
            }
            step(buffer[index])
            index += 1
        }
        return suspect
    }

    private mutating func feed(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBufferPointer { feed($0) }
    }

    private mutating func step(_ byte: UInt8) {
        if inTopLiteral, !Self.isLiteral(byte) { inTopLiteral = false }
        if inString {
            // Raw control characters are no JSON: a text with one may be read as other
            // strings by a lenient client (or by the filter), so it is read strictly.
            if byte < 0x20 { return suspicious() }
            if escaped {
                escaped = false
            } else if byte == UInt8(ascii: "\\") {
                escaped = true
            } else if byte == UInt8(ascii: "\"") {
                inString = false
                if capturing { named() }
                return
            }
            if capturing {
                name.append(byte)
                if name.count > Self.maxName { capturing = false }
            }
            return
        }
        switch byte {
        case 0x20, 0x09, 0x0A, 0x0D:
            return
        case UInt8(ascii: "\""):
            if done { return suspicious() }
            inString = true
            if depth == 0 {
                done = true  // a lone string: no answer to hide
            } else if expectingName {
                expectingName = false
                capturing = depth == 1 || inResult
                name.removeAll(keepingCapacity: true)
            } else {
                valueStarts(object: false)
            }
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            let object = byte == UInt8(ascii: "{")
            if done { return suspicious() }
            if depth == 0, !object { return suspicious() }  // a batch
            if depth > 0 { valueStarts(object: object) }
            depth += 1
            if depth == 1 { objects.0 = object }
            if depth == 2 { objects.1 = object }
            if depth <= 2 { expectingName = object }
        case UInt8(ascii: "}"), UInt8(ascii: "]"):
            depth -= 1
            if depth < 0 { return suspicious() }
            if depth == 0 { done = true }
            if depth == 1 { inResult = false }
            expectingName = false
        case UInt8(ascii: ","):
            if depth == 1 { expectingName = objects.0 }
            if depth == 2 { expectingName = objects.1 }
        case UInt8(ascii: ":"):
            return
        default:
            // A number or literal; at the top level, one value and nothing after it.
            if depth == 0 {
                if done && !inTopLiteral { return suspicious() }
                done = true
                inTopLiteral = true
                return
            }
            valueStarts(object: false)
        }
    }

    private static func isLiteral(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."): true
        default: false
        }
    }

    /// A value starts at the current depth: a top-level member's, perhaps `result`'s.
    private mutating func valueStarts(object: Bool) {
        guard depth == 1 else { return }
        inResult = object && namedResult
        namedResult = false
    }

    private mutating func named() {
        capturing = false
        let text = Self.unescaped(name)
        if depth == 1 {
            namedResult = StrictJSONReader.folds(text, onto: "result")
        } else if Self.lists.contains(where: { StrictJSONReader.folds(text, onto: $0) }) {
            suspicious()
        }
    }

    private mutating func suspicious() {
        suspect = true
    }

    /// A member name's characters, its escapes resolved (a lone surrogate is U+FFFD).
    static func unescaped(_ bytes: [UInt8]) -> String {
        guard bytes.contains(UInt8(ascii: "\\")) else { return String(decoding: bytes, as: UTF8.self) }
        var scalars = String.UnicodeScalarView()
        var index = 0
        var pendingHigh: UInt32?
        func hex(_ at: Int) -> UInt32? {
            guard at + 4 <= bytes.count, let value = UInt32(String(decoding: bytes[at..<(at + 4)], as: UTF8.self), radix: 16) else { return nil }
            return value
        }
        while index < bytes.count {
            let byte = bytes[index]
            guard byte == UInt8(ascii: "\\"), index + 1 < bytes.count else {
                // Plain bytes up to the next escape.
                let end = bytes[index...].firstIndex(of: UInt8(ascii: "\\")) ?? bytes.count
                scalars.append(contentsOf: String(decoding: bytes[index..<max(end, index + 1)], as: UTF8.self).unicodeScalars)
                index = max(end, index + 1)
                continue
            }
            let escape = bytes[index + 1]
            index += 2
            var scalar: Unicode.Scalar?
            switch escape {
            case UInt8(ascii: "u"):
                guard let value = hex(index) else { continue }
                index += 4
                if (0xD800..<0xDC00).contains(value) {
                    pendingHigh = value
                    continue
                }
                if (0xDC00..<0xE000).contains(value), let high = pendingHigh {
                    scalar = Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (value - 0xDC00))
                } else {
                    scalar = Unicode.Scalar(value) ?? "\u{FFFD}"
                }
            case UInt8(ascii: "b"): scalar = "\u{8}"
            case UInt8(ascii: "f"): scalar = "\u{C}"
            case UInt8(ascii: "n"): scalar = "\n"
            case UInt8(ascii: "r"): scalar = "\r"
            case UInt8(ascii: "t"): scalar = "\t"
            default: scalar = Unicode.Scalar(escape)
            }
            pendingHigh = nil
            if let scalar { scalars.append(scalar) }
        }
        return String(scalars)
    }
}
