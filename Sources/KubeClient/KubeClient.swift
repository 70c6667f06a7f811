import Foundation
import KubeCore

/// An async Kubernetes API client over libcurl, typed by `KubeResource`: get, list,
/// create, replace, patch (merge, JSON, server-side apply), delete, the status
/// subresource, and watch as an `AsyncSequence` of events as chunks arrive. Errors are
/// typed from the API's `Status`; 429, 5xx and network failures are retried with
/// exponential backoff and jitter; every request has a timeout.
public struct KubeClient: Sendable {
    public let configuration: ClientConfiguration
    public var retry: RetryPolicy
    /// For everything but watches.
    public var requestTimeout: Duration = .seconds(30)
    let transport: CurlTransport
    private let tokenFile: TokenFile?

    public init(_ configuration: ClientConfiguration, retry: RetryPolicy = RetryPolicy()) {
        self.configuration = configuration
        self.retry = retry
        transport = CurlTransport(tls: configuration.tls)
        if case .tokenFile(let path) = configuration.credentials { tokenFile = TokenFile(path: path) } else { tokenFile = nil }
    }

    public func get<R: KubeResource>(_ type: R.Type, namespace: String, name: String) async throws(KubeError) -> R {
        try decode(R.self, await send("GET", APIPath.object(type, namespace: namespace, name: name)))
    }

    /// All objects (following `continue` pages), and the collection's `resourceVersion`.
    public func list<R: KubeResource>(_ type: R.Type, namespace: String?, labelSelector: String? = nil, fieldSelector: String? = nil, pageSize: Int = 500) async throws(KubeError) -> ObjectList<R> {
        var all = ObjectList<R>(metadata: ListMeta(), items: [])
        var next: String?
        repeat {
            var query = [("limit", String(pageSize))] + Self.selectors(labelSelector, fieldSelector)
            if let next { query.append(("continue", next)) }
            let page = try decode(ObjectList<R>.self, await send("GET", APIPath.collection(type, namespace: namespace), query: query))
            all.items += page.items
            all.metadata.resourceVersion = page.metadata.resourceVersion
            next = page.metadata.continue.flatMap { $0.isEmpty ? nil : $0 }
        } while next != nil
        return all
    }

    public func create<R: KubeResource>(_ object: R) async throws(KubeError) -> R {
        let namespace = object.metadata.namespace ?? configuration.namespace
        return try decode(R.self, await send("POST", APIPath.collection(R.self, namespace: namespace), body: try encode(object)))
    }

    /// PUT: with `metadata.resourceVersion` set, a concurrent change is a 409 conflict.
    public func replace<R: KubeResource>(_ object: R, subresource: String? = nil) async throws(KubeError) -> R {
        let (namespace, name) = try identity(of: object)
        return try decode(R.self, await send("PUT", APIPath.object(R.self, namespace: namespace, name: name, subresource: subresource), body: try encode(object)))
    }

    public func patch<R: KubeResource>(_ type: R.Type, namespace: String, name: String, _ patch: Patch, subresource: String? = nil) async throws(KubeError) -> R {
        let body: Data
        do { body = try patch.body() } catch { throw .decoding("the patch cannot be encoded: \(error)") }
        let path = APIPath.object(type, namespace: namespace, name: name, subresource: subresource)
        return try decode(R.self, await send("PATCH", path, query: patch.query, body: body, contentType: patch.contentType))
    }

    /// Deletes with background propagation, so owned objects go too.
    public func delete<R: KubeResource>(_ type: R.Type, namespace: String, name: String) async throws(KubeError) {
        let options = Data(#"{"apiVersion":"v1","kind":"DeleteOptions","propagationPolicy":"Background"}"#.utf8)
        _ = try await send("DELETE", APIPath.object(type, namespace: namespace, name: name), body: options)
    }

    /// Events from `resourceVersion` on, as the server sends them, until the server ends
    /// the watch (`timeoutSeconds`), the consumer stops, or an error. A 410 arrives as
    /// `KubeError.gone` (thrown by the stream): relist, then watch again.
    public func watch<R: KubeResource>(
        _ type: R.Type, namespace: String?, resourceVersion: String?, labelSelector: String? = nil, fieldSelector: String? = nil, timeoutSeconds: Int = 290
    ) -> AsyncThrowingStream<WatchEvent<R>, any Error> {
        var query = [("watch", "true"), ("allowWatchBookmarks", "true"), ("timeoutSeconds", String(timeoutSeconds))] + Self.selectors(labelSelector, fieldSelector)
        if let resourceVersion, !resourceVersion.isEmpty { query.append(("resourceVersion", resourceVersion)) }
        let (stream, continuation) = AsyncThrowingStream<WatchEvent<R>, any Error>.makeStream()
        let request: HTTPRequest
        do {
            request = try self.request("GET", APIPath.collection(type, namespace: namespace), query: query, body: nil, contentType: nil, timeout: .seconds(timeoutSeconds + 30))
        } catch {
            continuation.finish(throwing: error)
            return stream
        }
        let transport = self.transport
        let task = Task {
            var decoder = WatchDecoder<R>()
            var status = 0
            var errorBody = Data()
            do {
                for try await part in transport.stream(request) {
                    switch part {
                    case .head(let code, _):
                        status = code
                    case .body(let chunk) where status == 200:
                        for event in try decoder.feed(chunk) { continuation.yield(event) }
                    case .body(let chunk):
                        errorBody.append(chunk)
                    }
                }
                if status != 200 { throw KubeError.from(status: status, body: errorBody) }
                for event in try decoder.finish() { continuation.yield(event) }
                continuation.finish()
            } catch let error as TransportError {
                continuation.finish(throwing: KubeError.transport(error))
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }

    // MARK: - Requests

    /// One API call with retries for what is worth retrying; returns the 2xx body.
    func send(_ method: String, _ path: String, query: [(String, String)] = [], body: Data? = nil, contentType: String? = nil) async throws(KubeError) -> Data {
        var attempt = 0
        while true {
            let failure: KubeError
            do {
                let request = try request(method, path, query: query, body: body, contentType: contentType, timeout: requestTimeout)
                let response = try await transport.perform(request)
                if (200..<300).contains(response.status) { return response.body }
                failure = KubeError.from(status: response.status, body: response.body)
            } catch let error as TransportError {
                failure = .transport(error)
            } catch let error as KubeError {
                throw error
            } catch {
                throw .transport(TransportError(description: "\(error)", timedOut: false))
            }
            attempt += 1
            guard failure.isRetryable, attempt < retry.attempts, !Task.isCancelled else { throw failure }
            let hinted = failure.status?.details?.retryAfterSeconds.map { Duration.seconds($0) }
            try? await Task.sleep(for: hinted ?? retry.delay(attempt: attempt))
        }
    }

    func request(_ method: String, _ path: String, query: [(String, String)], body: Data?, contentType: String?, timeout: Duration) throws(KubeError) -> HTTPRequest {
        var headers = [(name: "Accept", value: "application/json")]
        if body != nil { headers.append((name: "Content-Type", value: contentType ?? "application/json")) }
        switch configuration.credentials {
        case .none: break
        case .token(let token): headers.append((name: "Authorization", value: "Bearer \(token)"))
        case .tokenFile:
            do { headers.append((name: "Authorization", value: "Bearer \(try tokenFile!.token())")) } catch { throw .configuration(error) }
        }
        var url = configuration.server + path
        if !query.isEmpty {
            url += "?" + query.map { "\($0.0)=\(Self.queryEncode($0.1))" }.joined(separator: "&")
        }
        return HTTPRequest(method: method, url: url, headers: headers, body: body, timeout: timeout)
    }

    private static func selectors(_ label: String?, _ field: String?) -> [(String, String)] {
        [("labelSelector", label), ("fieldSelector", field)].compactMap { name, value in value.map { (name, $0) } }
    }

    /// RFC 3986 unreserved characters as they are, everything else %XX.
    static func queryEncode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }

    private static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    private func identity<R: KubeResource>(of object: R) throws(KubeError) -> (namespace: String, name: String) {
        guard let name = object.metadata.name else { throw .decoding("\(R.kind) has no metadata.name") }
        return (object.metadata.namespace ?? configuration.namespace, name)
    }

    private func encode<T: Encodable>(_ value: T) throws(KubeError) -> Data {
        do { return try KubeJSON.encode(value) } catch { throw .decoding("cannot encode \(T.self): \(error)") }
    }

    private func decode<T: Decodable>(_ type: T.Type, _ data: Data) throws(KubeError) -> T {
        do { return try JSONDecoder().decode(type, from: data) } catch { throw .decoding("\(T.self): \(error)") }
    }
}

/// Exponential backoff with full jitter between `base` and `maximum`.
public struct RetryPolicy: Sendable {
    public var attempts: Int
    public var base: Duration
    public var maximum: Duration

    public init(attempts: Int = 5, base: Duration = .milliseconds(200), maximum: Duration = .seconds(5)) {
        self.attempts = attempts
        self.base = base
        self.maximum = maximum
    }

    /// The pause before retry number `attempt` (1-based): random in [cap/2, cap].
    public func delay(attempt: Int) -> Duration {
        let cap = min(maximum, base * (1 << min(attempt - 1, 20)))
        return cap * Double.random(in: 0.5...1.0)
    }
}
