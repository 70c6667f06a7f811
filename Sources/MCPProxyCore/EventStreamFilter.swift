/// Runs `ListAnswerFilter` over a server-sent event stream as it arrives, event by event:
/// an event is held only until its blank line, then sent on, as it came when nothing is
/// removed from it, else rewritten with its other fields (`id`, `event`, `retry`,
/// comments) in their order and its data on `data:` lines. Lines end as the SSE grammar
/// says (CRLF, LF or CR, a CR possibly at the end of one chunk and its LF in the next),
/// a leading byte order mark is dropped, and only `message` events (the last `event` field
/// empty or `message`, or none) carry JSON-RPC, as clients read them. An event the filter refuses is
/// dropped; one longer than `maxEventBytes` ends the stream (`Failure.eventTooLarge`).
public struct EventStreamFilter: Sendable {
    public static let maxEventBytes = 8 << 20

    public enum Failure: Error, Sendable, Equatable {
        case eventTooLarge
    }

    /// What one event came to, for the audit and metrics.
    public enum Verdict: Sendable, Equatable {
        /// Entries removed (or, observing, that would have been), as `kind:name`.
        case removed([String])
        /// The event was dropped, and why.
        case refused(String)
    }

    private let filter: ListAnswerFilter
    /// When true (observe mode) events are sent as they came and only the verdicts tell.
    private let observeOnly: Bool
    /// The unsent bytes: the current event from `eventStart` on.
    private var pending: [UInt8] = []
    private var eventStart = 0
    /// Where the current line starts, and how far the bytes have been read.
    private var lineStart = 0
    private var scanned = 0
    /// The current event's lines so far, without their terminators.
    private var lines: [Range<Int>] = []
    private var lastWasCR = false
    /// A blank line ended with CR: the event is sent once the next byte shows whether an LF
    /// belongs to it.
    private var eventEnded = false
    private var atStart = true
    /// What the events came to since the last `takeVerdicts`, in order.
    private var verdicts: [Verdict] = []

    /// The verdicts so far, taken (the next call returns only later ones).
    public mutating func takeVerdicts() -> [Verdict] {
        defer { verdicts = [] }
        return verdicts
    }

    public init(_ filter: ListAnswerFilter, observeOnly: Bool = false) {
        self.filter = filter
        self.observeOnly = observeOnly
    }

    /// The bytes to send on after `chunk`.
    public mutating func feed(_ chunk: some Collection<UInt8>) throws(Failure) -> [UInt8] {
        pending += chunk
        var output: [UInt8] = []
        if atStart {
            // A leading BOM is no part of the first line, and is dropped: a client that
            // does not skip it would read the first line as another field than the filter.
            if pending.count < 3, [0xEF, 0xBB, 0xBF].starts(with: pending) { return [] }
            atStart = false
            if pending.starts(with: [0xEF, 0xBB, 0xBF]) {
                eventStart = 3
                lineStart = 3
                scanned = 3
            }
        }
        while scanned < pending.count {
            let byte = pending[scanned]
            if lastWasCR {
                lastWasCR = false
                if byte == 0x0A {
                    // The LF of a CRLF.
                    scanned += 1
                    lineStart = scanned
                    if eventEnded { output += dispatch(complete: true) }
                    continue
                }
                if eventEnded { output += dispatch(complete: true) }
            }
            guard byte == 0x0A || byte == 0x0D else {
                scanned += 1
                continue
            }
            let line = lineStart..<scanned
            scanned += 1
            lineStart = scanned
            lastWasCR = byte == 0x0D
            if !line.isEmpty {
                lines.append(line)
            } else if lastWasCR {
                eventEnded = true
            } else {
                output += dispatch(complete: true)
            }
        }
        // Keep only the unsent event.
        if eventStart > 0 {
            pending.removeFirst(eventStart)
            scanned -= eventStart
            lineStart -= eventStart
            lines = lines.map { ($0.lowerBound - eventStart)..<($0.upperBound - eventStart) }
            eventStart = 0
        }
        if pending.count > Self.maxEventBytes { throw .eventTooLarge }
        return output
    }

    /// The bytes to send on when the stream ends: the last event, filtered like any, also
    /// when no blank line ended it.
    public mutating func finish() -> [UInt8] {
        if eventEnded { return dispatch(complete: true) }
        guard scanned > eventStart else { return [] }
        if lineStart < scanned { lines.append(lineStart..<scanned) }
        return dispatch(complete: false)
    }

    /// Sends the event that ends at `scanned`: as it came, rewritten, or not at all.
    private mutating func dispatch(complete: Bool) -> [UInt8] {
        let raw = Array(pending[eventStart..<scanned])
        let lines = self.lines
        eventStart = scanned
        self.lines = []
        eventEnded = false
        var data: [UInt8] = []
        var hasData = false
        // The last `event` field names the type; empty or absent is `message` (WHATWG
        // HTML §9.2.6, as the SDKs' parsers read it).
        var type: ArraySlice<UInt8> = []
        var others: [Range<Int>] = []
        for line in lines {
            let bytes = pending[line]
            let colon = bytes.firstIndex(of: UInt8(ascii: ":"))
            let name = bytes[bytes.startIndex..<(colon ?? bytes.endIndex)]
            var value = colon.map { bytes[($0 + 1)...] } ?? []
            if value.first == 0x20 { value = value.dropFirst() }
            if name.elementsEqual("data".utf8) {
                if hasData { data.append(0x0A) }
                data += value
                hasData = true
                continue
            }
            if name.elementsEqual("event".utf8) { type = value }
            others.append(line)
        }
        guard hasData, type.isEmpty || type.elementsEqual("message".utf8) else { return raw }
        switch filter.filter(data) {
        case .unchanged:
            return raw
        case .refused(let why):
            verdicts.append(.refused(why))
            return []
        case .rewritten(let rewritten, let removed):
            verdicts.append(.removed(removed.map(\.label)))
            if observeOnly { return raw }
            var event: [UInt8] = []
            for line in others {
                event += pending[line]
                event.append(0x0A)
            }
            for part in rewritten.split(separator: 0x0A, omittingEmptySubsequences: false) {
                event += "data: ".utf8
                event += part
                event.append(0x0A)
            }
            if complete { event.append(0x0A) }
            return event
        }
    }
}
