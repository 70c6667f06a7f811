import CCurl
import Foundation
import Synchronization

/// One HTTP request as the Kubernetes client sends it.
struct HTTPRequest: Sendable {
    var method: String
    var url: String
    var headers: [(name: String, value: String)]
    var body: Data?
    /// The limit for the whole exchange; watches use the server's `timeoutSeconds` plus a margin.
    var timeout: Duration
}

/// What arrives of a response, in order: the head once, then body chunks as they come.
enum TransferPart: Sendable {
    case head(status: Int, headers: [String: String])
    case body(Data)
}

/// Why a request got no HTTP answer.
public struct TransportError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public var timedOut: Bool
}

/// HTTP through libcurl. Each transfer runs `curl_easy_perform` on a thread of its own that
/// owns the easy handle; C callbacks hand the head and body chunks to an
/// `AsyncThrowingStream` as the server sends them. Ending the stream's consumer (or task
/// cancellation) aborts the transfer from the write or progress callback.
struct CurlTransport: Sendable {
    let tls: TLSSettings
    var connectTimeout: Duration = .seconds(10)

    private static let globalInit: Bool = {
        curl_global_init(3)  // CURL_GLOBAL_ALL (SSL | WIN32); the macro does not import
        return true
    }()

    /// The whole response, collected (for everything but watches).
    func perform(_ request: HTTPRequest) async throws -> (status: Int, headers: [String: String], body: Data) {
        var status = 0
        var headers: [String: String] = [:]
        var body = Data()
        for try await part in stream(request) {
            switch part {
            case .head(let code, let fields):
                status = code
                headers = fields
            case .body(let chunk):
                body.append(chunk)
            }
        }
        return (status, headers, body)
    }

    func stream(_ request: HTTPRequest) -> AsyncThrowingStream<TransferPart, any Error> {
        _ = Self.globalInit
        let (stream, continuation) = AsyncThrowingStream<TransferPart, any Error>.makeStream()
        let transfer = Transfer(continuation: continuation)
        continuation.onTermination = { _ in transfer.cancelled.store(true, ordering: .relaxed) }
        let tls = self.tls
        let connectTimeout = self.connectTimeout
        let thread = Thread {
            Self.run(request, tls: tls, connectTimeout: connectTimeout, transfer: transfer)
        }
        thread.name = "kube-client-curl"
        thread.start()
        return stream
    }

    private static func run(_ request: HTTPRequest, tls: TLSSettings, connectTimeout: Duration, transfer: Transfer) {
        guard let handle = curl_easy_init() else {
            transfer.continuation.finish(throwing: TransportError(description: "curl_easy_init failed", timedOut: false))
            return
        }
        let errors = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errors.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        var list: UnsafeMutablePointer<curl_slist>?
        for header in request.headers {
            list = curl_slist_append(list, "\(header.name): \(header.value)")
        }
        list = curl_slist_append(list, "Expect:")
        let context = Unmanaged.passRetained(transfer)
        defer {
            curl_slist_free_all(list)
            curl_easy_cleanup(handle)
            errors.deallocate()
            context.release()
        }

        mcp_curl_set_string(handle, CURLOPT_URL, request.url)
        mcp_curl_set_string(handle, CURLOPT_CUSTOMREQUEST, request.method)
        mcp_curl_set_slist(handle, CURLOPT_HTTPHEADER, list)
        mcp_curl_set_pointer(handle, CURLOPT_ERRORBUFFER, errors)
        mcp_curl_set_long(handle, CURLOPT_NOSIGNAL, 1)
        mcp_curl_set_long(handle, CURLOPT_FOLLOWLOCATION, 0)
        mcp_curl_set_long(handle, CURLOPT_CONNECTTIMEOUT_MS, milliseconds(connectTimeout))
        mcp_curl_set_long(handle, CURLOPT_TIMEOUT_MS, milliseconds(request.timeout))
        mcp_curl_set_long(handle, CURLOPT_TCP_KEEPALIVE, 1)
        if let body = request.body {
            mcp_curl_set_long(handle, CURLOPT_POSTFIELDSIZE, body.count)
            if body.isEmpty {
                mcp_curl_set_string(handle, CURLOPT_COPYPOSTFIELDS, "")
            } else {
                body.withUnsafeBytes { bytes in
                    _ = mcp_curl_set_pointer(handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: bytes.baseAddress))
                }
            }
        }
        tls.apply(to: handle)

        mcp_curl_set_pointer(handle, CURLOPT_HEADERDATA, context.toOpaque())
        mcp_curl_set_data_callback(handle, CURLOPT_HEADERFUNCTION) { data, size, count, context in
            let transfer = Unmanaged<Transfer>.fromOpaque(context!).takeUnretainedValue()
            let length = size * count
            guard let data, !transfer.cancelled.load(ordering: .relaxed) else { return 0 }
            transfer.headerLine(String(decoding: UnsafeRawBufferPointer(start: data, count: length), as: UTF8.self))
            return length
        }
        mcp_curl_set_pointer(handle, CURLOPT_WRITEDATA, context.toOpaque())
        mcp_curl_set_data_callback(handle, CURLOPT_WRITEFUNCTION) { data, size, count, context in
            let transfer = Unmanaged<Transfer>.fromOpaque(context!).takeUnretainedValue()
            let length = size * count
            guard let data, !transfer.cancelled.load(ordering: .relaxed) else { return 0 }
            transfer.continuation.yield(.body(Data(bytes: data, count: length)))
            return length
        }
        // Called about once a second even while idle: lets a cancelled watch end promptly.
        mcp_curl_set_long(handle, CURLOPT_NOPROGRESS, 0)
        mcp_curl_set_pointer(handle, CURLOPT_XFERINFODATA, context.toOpaque())
        mcp_curl_set_progress_callback(handle) { context, _, _, _, _ in
            Unmanaged<Transfer>.fromOpaque(context!).takeUnretainedValue().cancelled.load(ordering: .relaxed) ? 1 : 0
        }

        let code = curl_easy_perform(handle)
        if transfer.cancelled.load(ordering: .relaxed) {
            transfer.continuation.finish(throwing: CancellationError())
        } else if code == CURLE_OK {
            transfer.continuation.finish()
        } else {
            let detail = String(cString: errors)
            let message = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
            transfer.continuation.finish(throwing: TransportError(
                description: "\(request.method) \(request.url): \(message)", timedOut: code == CURLE_OPERATION_TIMEDOUT
            ))
        }
    }

    private static func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000)
    }
}

/// The state of one transfer shared with libcurl's callbacks: the stream continuation,
/// the cancel flag, and the response head being read.
final class Transfer: Sendable {
    let continuation: AsyncThrowingStream<TransferPart, any Error>.Continuation
    let cancelled = Atomic<Bool>(false)
    private let head = Mutex<(status: Int, headers: [String: String])>((0, [:]))

    init(continuation: AsyncThrowingStream<TransferPart, any Error>.Continuation) {
        self.continuation = continuation
    }

    /// One header line, CRLF included. A status line starts a new head (after a 1xx);
    /// the empty line ends it, and a final head is handed on.
    func headerLine(_ line: String) {
        let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.hasPrefix("HTTP/") {
            let code = trimmed.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
            head.withLock { $0 = (code, [:]) }
        } else if trimmed.isEmpty {
            let current = head.withLock { $0 }
            if current.status >= 200 { continuation.yield(.head(status: current.status, headers: current.headers)) }
        } else if let colon = trimmed.firstIndex(of: ":") {
            let name = trimmed[..<colon].lowercased()
            let value = trimmed[trimmed.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            head.withLock { $0.headers[name] = value }
        }
    }
}
