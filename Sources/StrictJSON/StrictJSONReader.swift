/// Why a body is not strict JSON, with the byte offset where reading stopped.
public enum StrictJSONError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Not JSON's grammar (RFC 8259): a stray byte, a bad number, a missing delimiter, a
    /// literal other than `true`, `false`, `null` (so no `NaN`, comments or single quotes).
    case syntax(at: Int)
    /// Bytes that are not well-formed UTF-8 (overlong forms, encoded surrogates, beyond
    /// U+10FFFF, truncated sequences), a byte order mark included.
    case invalidUTF8(at: Int)
    /// An unescaped control character, an unknown escape, a `\u` escape naming half of
    /// a surrogate pair without the other half, or an unescaped U+FEFF opening a member
    /// name or read string value or following an escape in one (Foundation's
    /// `JSONSerialization` drops it there).
    case invalidString(at: Int)
    /// An object names the same member twice (compared after unescaping). Parsers disagree
    /// on which one counts, so neither does.
    case duplicateMember(String, at: Int)
    /// Nested deeper than `StrictJSONReader.maxDepth`.
    case tooDeep(at: Int)
    /// Anything but whitespace after the value.
    case trailingData(at: Int)

    public var description: String {
        switch self {
        case .syntax(let at): "the body is not JSON (at byte \(at))"
        case .invalidUTF8(let at): "the body is not UTF-8 (at byte \(at))"
        case .invalidString(let at): "the body has an invalid string (at byte \(at))"
        case .duplicateMember(let name, let at): "the body names the member \"\(name)\" twice (at byte \(at))"
        case .tooDeep(let at): "the body is nested deeper than \(StrictJSONReader.maxDepth) levels (at byte \(at))"
        case .trailingData(let at): "the body has data after the JSON value (at byte \(at))"
        }
    }
}

/// Reads one JSON text (RFC 8259) from UTF-8 bytes and refuses everything that parsers
/// may read differently: duplicate member names at any depth, invalid UTF-8, lone
/// surrogates, control characters in strings, data after the value, non-JSON literals and
/// numbers, and nesting deeper than `maxDepth`. The caller walks the members it needs and
/// skips the rest, which is still validated but never materialized.
public struct StrictJSONReader {
    /// Deep enough for any MCP message; shallow enough that recursion cannot exhaust a stack.
    public static let maxDepth = 128

    private let bytes: UnsafeRawBufferPointer
    private(set) var position = 0

    /// Reads `body` with `read`, then checks that only whitespace follows.
    public static func read<Value>(
        _ body: some Sequence<UInt8>, _ read: (inout StrictJSONReader) throws(StrictJSONError) -> Value
    ) throws(StrictJSONError) -> Value {
        func run(_ bytes: UnsafeRawBufferPointer) -> Result<Value, StrictJSONError> {
            var reader = StrictJSONReader(bytes: bytes)
            do throws(StrictJSONError) {
                let value = try read(&reader)
                reader.skipWhitespace()
                guard reader.position == bytes.count else { throw .trailingData(at: reader.position) }
                return .success(value)
            } catch {
                return .failure(error)
            }
        }
        let outcome = body.withContiguousStorageIfAvailable { run(UnsafeRawBufferPointer($0)) } ?? Array(body).withUnsafeBytes(run)
        return try outcome.get()
    }

    private init(bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    /// What comes next, after whitespace.
    public enum Kind: Sendable, Hashable {
        case object, array, string, number, bool, null
    }

    /// The kind of the next value, without reading it.
    public mutating func peek() throws(StrictJSONError) -> Kind {
        skipWhitespace()
        guard position < bytes.count else { throw .syntax(at: position) }
        switch bytes[position] {
        case UInt8(ascii: "{"): return .object
        case UInt8(ascii: "["): return .array
        case UInt8(ascii: "\""): return .string
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return .bool
        case UInt8(ascii: "n"): return .null
        case 0xEF where bytes.count > position + 2 && bytes[position + 1] == 0xBB && bytes[position + 2] == 0xBF: throw .invalidUTF8(at: position)
        default: throw .syntax(at: position)
        }
    }

    /// Reads an object at nesting `depth`, calling `member` with each name (unescaped; a repeated one is an
    /// error before `member` sees it); `member` must read or skip the value.
    public mutating func readObject(
        depth: Int, _ member: (inout StrictJSONReader, String) throws(StrictJSONError) -> Void
    ) throws(StrictJSONError) {
        guard depth < Self.maxDepth else { throw .tooDeep(at: position) }
        try expect(UInt8(ascii: "{"))
        var names = Set<String>()
        skipWhitespace()
        if try consume(UInt8(ascii: "}")) { return }
        repeat {
            skipWhitespace()
            let start = position
            let bytes = try scanString(decoding: true)
            // A NUL ends the name for C-string parsers (`"method\u0000"` is `method` there).
            guard !bytes.contains(0) else { throw .invalidString(at: start) }
            let name = String(decoding: bytes, as: UTF8.self)
            guard names.insert(name).inserted else { throw .duplicateMember(name, at: start) }
            skipWhitespace()
            try expect(UInt8(ascii: ":"))
            try member(&self, name)
            skipWhitespace()
        } while try consume(UInt8(ascii: ","))
        try expect(UInt8(ascii: "}"))
    }

    /// The byte offset reading has reached: after `peek`, where the next value starts;
    /// after reading or skipping a value, where it ended.
    public var offset: Int { position }

    /// Reads an array at nesting `depth`, calling `element` for each element, which must
    /// read or skip it.
    public mutating func readArray(
        depth: Int, _ element: (inout StrictJSONReader) throws(StrictJSONError) -> Void
    ) throws(StrictJSONError) {
        guard depth < Self.maxDepth else { throw .tooDeep(at: position) }
        try expect(UInt8(ascii: "["))
        skipWhitespace()
        if try consume(UInt8(ascii: "]")) { return }
        repeat {
            try element(&self)
            skipWhitespace()
        } while try consume(UInt8(ascii: ","))
        try expect(UInt8(ascii: "]"))
    }

    /// A member name as case-insensitive decoders compare it: ASCII letters without case,
    /// and the two non-ASCII letters that simple case folding maps onto ASCII ones (U+017F
    /// LATIN SMALL LETTER LONG S to `s`, U+212A KELVIN SIGN to `k`), as Go's
    /// `encoding/json` does. Two names that fold alike are one name to such a decoder.
    public static func folded(_ name: String) -> String {
        guard name.utf8.count <= 24 else { return name }
        var folded = String.UnicodeScalarView()
        for scalar in name.unicodeScalars {
            switch scalar.value {
            case 0x41...0x5A: folded.append(Unicode.Scalar(scalar.value | 0x20)!)
            case 0x17F: folded.append("s")
            case 0x212A: folded.append("k")
            default: folded.append(scalar)
            }
        }
        return String(folded)
    }

    /// Whether `name` folds (as `folded` says) onto `target`, a lowercase ASCII name,
    /// without building the folded name.
    public static func folds(_ name: String, onto target: String) -> Bool {
        var expected = target.utf8.makeIterator()
        for scalar in name.unicodeScalars {
            let byte: UInt8
            switch scalar.value {
            case 0x41...0x5A: byte = UInt8(scalar.value | 0x20)
            case 0x17F: byte = UInt8(ascii: "s")
            case 0x212A: byte = UInt8(ascii: "k")
            case 0..<0x80: byte = UInt8(scalar.value)
            default: return false
            }
            guard expected.next() == byte else { return false }
        }
        return expected.next() == nil
    }

    /// Validates any value at nesting `depth` (the top level is 0) and discards it.
    public mutating func skipValue(depth: Int) throws(StrictJSONError) {
        switch try peek() {
        case .object:
            try readObject(depth: depth) { reader, _ throws(StrictJSONError) in try reader.skipValue(depth: depth + 1) }
        case .array:
            try readArray(depth: depth) { reader throws(StrictJSONError) in try reader.skipValue(depth: depth + 1) }
        case .string:
            _ = try scanString(decoding: false)
        case .number:
            _ = try scanNumber()
        case .bool:
            if !literal("true"), !literal("false") { throw .syntax(at: position) }
        case .null:
            guard literal("null") else { throw .syntax(at: position) }
        }
    }

    /// Reads a string value, unescaped.
    public mutating func readString() throws(StrictJSONError) -> String {
        String(decoding: try scanString(decoding: true), as: UTF8.self)
    }

    /// A number read whole: whether it has a fraction or exponent, and its text.
    public struct Number: Sendable, Hashable {
        public var text: String
        public var isInteger: Bool
    }

    /// Reads a number (JSON's grammar: no leading zeros, `+`, `.5`, `NaN` or `Infinity`).
    public mutating func readNumber() throws(StrictJSONError) -> Number {
        let start = position
        let isInteger = try scanNumber()
        return Number(text: String(decoding: bytes[start..<position], as: UTF8.self), isInteger: isInteger)
    }

    // MARK: - Bytes

    private mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    private mutating func consume(_ byte: UInt8) throws(StrictJSONError) -> Bool {
        guard position < bytes.count, bytes[position] == byte else { return false }
        position += 1
        return true
    }

    private mutating func expect(_ byte: UInt8) throws(StrictJSONError) {
        guard try consume(byte) else { throw .syntax(at: position) }
    }

    private mutating func literal(_ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard bytes.count - position >= count else { return false }
        for offset in 0..<count where bytes[position + offset] != word.utf8Start[offset] { return false }
        position += count
        return true
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`; true when neither fraction nor exponent.
    private mutating func scanNumber() throws(StrictJSONError) -> Bool {
        _ = try consume(UInt8(ascii: "-"))
        guard position < bytes.count, isDigit(bytes[position]) else { throw .syntax(at: position) }
        if bytes[position] == UInt8(ascii: "0") {
            position += 1
        } else {
            skipDigits()
        }
        var isInteger = true
        if try consume(UInt8(ascii: ".")) {
            isInteger = false
            guard position < bytes.count, isDigit(bytes[position]) else { throw .syntax(at: position) }
            skipDigits()
        }
        if position < bytes.count, bytes[position] | 0x20 == UInt8(ascii: "e") {
            isInteger = false
            position += 1
            if !(try consume(UInt8(ascii: "+"))) { _ = try consume(UInt8(ascii: "-")) }
            guard position < bytes.count, isDigit(bytes[position]) else { throw .syntax(at: position) }
            skipDigits()
        }
        return isInteger
    }

    private mutating func skipDigits() {
        while position < bytes.count, isDigit(bytes[position]) { position += 1 }
    }

    private func isDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    /// Scans a string, validating UTF-8 and escapes; its unescaped UTF-8 when `decoding`, else nothing.
    private mutating func scanString(decoding: Bool) throws(StrictJSONError) -> [UInt8] {
        try expect(UInt8(ascii: "\""))
        var decoded: [UInt8] = []
        // Foundation's JSONSerialization (Linux) drops an unescaped U+FEFF that opens a
        // string or follows an escape: "\u{FEFF}method" and "tools\\/\u{FEFF}call" would be
        // "method" and "tools/call" there. Refused where it is read (member names, the
        // envelope's values); a skipped value is the tool's business.
        var opensSegment = true
        while position < bytes.count {
            let byte = bytes[position]
            let afterEscape = opensSegment
            opensSegment = false
            switch byte {
            case UInt8(ascii: "\""):
                position += 1
                return decoded
            case UInt8(ascii: "\\"):
                let scalar = try scanEscape()
                if decoding { decoded.append(contentsOf: UTF8.encode(scalar)!) }
                opensSegment = true
            case 0x00..<0x20:
                throw .invalidString(at: position)
            case 0x20..<0x80:
                if decoding { decoded.append(byte) }
                position += 1
            default:
                if decoding, afterEscape, bytes.count - position >= 3, byte == 0xEF, bytes[position + 1] == 0xBB, bytes[position + 2] == 0xBF {
                    throw .invalidString(at: position)
                }
                let length = try utf8SequenceLength(at: position)
                if decoding { decoded.append(contentsOf: bytes[position..<position + length]) }
                position += length
            }
        }
        throw .syntax(at: position)
    }

    /// One escape sequence (a surrogate pair as one), as the scalar it stands for.
    private mutating func scanEscape() throws(StrictJSONError) -> Unicode.Scalar {
        let start = position
        position += 1
        guard position < bytes.count else { throw .syntax(at: position) }
        let escaped = bytes[position]
        position += 1
        let simple: UInt8? = switch escaped {
        case UInt8(ascii: "\""): UInt8(ascii: "\"")
        case UInt8(ascii: "\\"): UInt8(ascii: "\\")
        case UInt8(ascii: "/"): UInt8(ascii: "/")
        case UInt8(ascii: "b"): 0x08
        case UInt8(ascii: "f"): 0x0C
        case UInt8(ascii: "n"): 0x0A
        case UInt8(ascii: "r"): 0x0D
        case UInt8(ascii: "t"): 0x09
        default: nil
        }
        if let simple { return Unicode.Scalar(simple) }
        guard escaped == UInt8(ascii: "u") else { throw .invalidString(at: start) }
        var scalar = try hex4()
        switch scalar {
        case 0xD800..<0xDC00:
            // A high surrogate must be followed by an escaped low one.
            guard bytes.count - position >= 6, bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u") else {
                throw .invalidString(at: start)
            }
            position += 2
            let low = try hex4()
            guard (0xDC00..<0xE000).contains(low) else { throw .invalidString(at: start) }
            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
        case 0xDC00..<0xE000:
            throw .invalidString(at: start)
        default:
            break
        }
        guard let value = Unicode.Scalar(scalar) else { throw .invalidString(at: start) }
        return value
    }

    private mutating func hex4() throws(StrictJSONError) -> UInt32 {
        guard bytes.count - position >= 4 else { throw .invalidString(at: position) }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[position]
            let digit: UInt8 = switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
            default: throw .invalidString(at: position)
            }
            value = value << 4 | UInt32(digit)
            position += 1
        }
        return value
    }

    /// The length of the well-formed UTF-8 sequence at `start` (Unicode Table 3-7), else an error.
    private func utf8SequenceLength(at start: Int) throws(StrictJSONError) -> Int {
        let lead = bytes[start]
        let length: Int
        var second: ClosedRange<UInt8> = 0x80...0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; second = 0xA0...0xBF
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; second = 0x80...0x9F
        case 0xF0: length = 4; second = 0x90...0xBF
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; second = 0x80...0x8F
        default: throw .invalidUTF8(at: start)
        }
        guard bytes.count - start >= length, second.contains(bytes[start + 1]) else { throw .invalidUTF8(at: start) }
        for offset in 2..<length where !(0x80...0xBF).contains(bytes[start + offset]) { throw .invalidUTF8(at: start) }
        return length
    }
}
