import Foundation
import KubeCore

/// One event of a watch stream.
public enum WatchEvent<R: KubeResource>: Sendable {
    case added(R)
    case modified(R)
    case deleted(R)
    /// A progress mark (`allowWatchBookmarks`): resume from this version after a disconnect.
    case bookmark(resourceVersion: String)
}

/// Splits a watch body, delivered in chunks of any size, into its newline-separated JSON
/// events and decodes each one.
struct WatchDecoder<R: KubeResource> {
    private var buffer = Data()

    /// The events completed by this chunk, in order.
    mutating func feed(_ chunk: Data) throws(KubeError) -> [WatchEvent<R>] {
        buffer.append(chunk)
        var events: [WatchEvent<R>] = []
        while let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
            let line = buffer[buffer.startIndex..<newline]
            buffer.removeSubrange(buffer.startIndex...newline)
            if line.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\r") }) { continue }
            events.append(try Self.decode(Data(line)))
        }
        return events
    }

    /// The rest of the body once the stream ended (a last event without a newline).
    mutating func finish() throws(KubeError) -> [WatchEvent<R>] {
        defer { buffer = Data() }
        return try feed(Data("\n".utf8))
    }

    struct Frame: Decodable {
        var type: String
        var object: JSONValue
    }

    static func decode(_ line: Data) throws(KubeError) -> WatchEvent<R> {
        let frame: Frame
        do {
            frame = try JSONDecoder().decode(Frame.self, from: line)
        } catch {
            throw .decoding("a watch event is not JSON: \(String(decoding: line.prefix(200), as: UTF8.self))")
        }
        do {
            switch frame.type {
            case "ADDED": return .added(try KubeJSON.decode(R.self, from: frame.object))
            case "MODIFIED": return .modified(try KubeJSON.decode(R.self, from: frame.object))
            case "DELETED": return .deleted(try KubeJSON.decode(R.self, from: frame.object))
            case "BOOKMARK":
                return .bookmark(resourceVersion: frame.object["metadata"]?["resourceVersion"]?.stringValue ?? "")
            case "ERROR":
                let status = try KubeJSON.decode(APIStatus.self, from: frame.object)
                throw KubeError.from(status: status.code ?? 500, status)
            default:
                throw KubeError.decoding("unknown watch event type \(frame.type.prefix(32))")
            }
        } catch let error as KubeError {
            throw error
        } catch {
            throw .decoding("a \(frame.type) event does not decode as \(R.kind): \(error)")
        }
    }
}
