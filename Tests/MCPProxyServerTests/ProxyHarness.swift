import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization
import TestServers

#if canImport(Glibc)
import Glibc
#endif

/// What the upstream saw of one request.
struct Seen: Sendable {
    var method: String
    var path: String
    /// By lowercase name.
    var headers: [String: String]
    var body: String
}

/// An MCP-server stand-in on 127.0.0.1 that records every request and answers
/// `{"ok":true}`, or an SSE stream of three events on GET with `Accept: text/event-stream`.
final class RecordingUpstream: Sendable {
    final class Record: Sendable {
        let items = Mutex<[Seen]>([])
        func append(_ item: Seen) { items.withLock { $0.append(item) } }
    }

    private let record = Record()
    /// Every request the upstream received, in order.
    var seen: [Seen] { record.items.withLock { $0 } }
    private let task = Mutex<Task<Void, any Error>?>(nil)
    let port: Int

    init() async throws {
        let recorder = record
        let router = Router()
        router.on("/{path+}", method: .post) { request, _ -> Response in
            var request = request
            let body = try await request.collectBody(upTo: 1 << 20)
            recorder.append(Seen(method: "POST", path: request.uri.path, headers: Self.headers(request), body: String(buffer: body)))
            return Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: #"{"ok":true}"#)))
        }
        router.on("/{path+}", method: .get) { request, _ -> Response in
            recorder.append(Seen(method: "GET", path: request.uri.path, headers: Self.headers(request), body: ""))
            return Response(status: .ok, headers: [.contentType: "text/event-stream"], body: ResponseBody { writer in
                for index in 1...3 {
                    try await writer.write(ByteBuffer(string: "data: event \(index)\n\n"))
                    try await Task.sleep(for: .milliseconds(100))
                }
                try await writer.finish(nil)
            })
        }
        let (port, running) = try await startLoopback(router, name: "test-upstream")
        self.port = port
        task.withLock { $0 = running }
    }

    static func headers(_ request: Request) -> [String: String] {
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName.lowercased()] = field.value }
        return headers
    }

    func stop() {
        task.withLock { $0?.cancel() }
    }
}

/// The real `mcp-proxy` binary, started with a config file on free loopback ports.
final class ProxyProcess {
    let process = Process()
    let port: Int
    let adminPort: Int
    let configPath: String
    private let errors = Pipe()
    private let auditPipe = Pipe()

    static let binary = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent(".build/debug/mcp-proxy").path

    init(config: String, extraArguments: [String] = []) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mcp-proxy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        configPath = directory.appendingPathComponent("config.json").path
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
        port = try freePort()
        adminPort = try freePort()
        guard FileManager.default.isExecutableFile(atPath: Self.binary) else { throw HarnessError("build mcp-proxy first: \(Self.binary) is missing") }
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = ["--config", configPath, "--listen", "127.0.0.1:\(port)", "--admin-listen", "127.0.0.1:\(adminPort)"] + extraArguments
        process.standardError = errors
        process.standardOutput = auditPipe
        try process.run()
    }

    func waitUntilHealthy(client: HTTPClient) async throws {
        for _ in 0..<200 {
            if let response = try? await client.execute(HTTPClientRequest(url: "http://127.0.0.1:\(adminPort)/healthz"), timeout: .seconds(1)), response.status == .ok { return }
            guard process.isRunning else { throw HarnessError("mcp-proxy exited: \(output())") }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw HarnessError("mcp-proxy did not become healthy")
    }

    func writeConfig(_ text: String) throws {
        try text.write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    func output() -> String {
        String(decoding: errors.fileHandleForReading.availableData, as: UTF8.self)
    }

    /// The audit lines written so far, parsed; call after `stop()`.
    func auditLines() -> [[String: Any]] {
        let text = String(decoding: auditPipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return text.split(separator: "\n").compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
        }
    }

    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }
}

struct HarnessError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A port that was free a moment ago on 127.0.0.1.
func freePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw HarnessError("socket failed") }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
    guard bound == 0 else { throw HarnessError("bind failed") }
    let named = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
    guard named == 0 else { throw HarnessError("getsockname failed") }
    return Int(UInt16(bigEndian: address.sin_port))
}
