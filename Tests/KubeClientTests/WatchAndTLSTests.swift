import Foundation
import Hummingbird
import KubeClient
import KubeCore
import NIOCore
import NIOSSL
import TestServers
import Testing

@Suite(.serialized) struct WatchTests {
    @Test("watch events arrive while the stream is open, split across slow chunks, with a BOOKMARK, until a 410 Expired")
    func slowChunks() async throws {
        let (gate, open) = AsyncStream<Void>.makeStream()
        let server = try await ReplayServer { router, log in
            router.get("/api/v1/namespaces/team-a/configmaps") { request, _ in
                log.append(request, body: "")
                return Response(status: .ok, headers: [.contentType: "application/json", .transferEncoding: "chunked"], body: ResponseBody { writer in
                    let added = #"{"type":"ADDED","object":\#(Recorded.configMap("a", rv: "2501"))}"# + "\n"
                    let middle = added.index(added.startIndex, offsetBy: added.count / 2)
                    try await writer.write(ByteBuffer(string: String(added[..<middle])))
                    try await Task.sleep(for: .milliseconds(150))
                    try await writer.write(ByteBuffer(string: String(added[middle...])))
                    // Nothing more until the client has seen ADDED: proof that events are not buffered to the end.
                    for await _ in gate { break }
                    try await writer.write(ByteBuffer(string: #"{"type":"BOOKMARK","object":{"kind":"ConfigMap","apiVersion":"v1","metadata":{"resourceVersion":"2600"}}}"# + "\n"))
                    try await writer.write(ByteBuffer(string: #"{"type":"MODIFIED","object":\#(Recorded.configMap("a", rv: "2601", data: "b"))}"# + "\n"))
                    try await writer.write(ByteBuffer(string: Recorded.expired + "\n"))
                    try await writer.finish(nil)
                })
            }
        }
        defer { server.stop() }
        let client = KubeClient(ClientConfiguration(server: server.url, namespace: "team-a"))
        var seen: [String] = []
        var failure: (any Error)?
        do {
            for try await event in client.watch(ConfigMap.self, namespace: "team-a", resourceVersion: "2500") {
                switch event {
                case .added(let object):
                    seen.append("ADDED \(object.metadata.resourceVersion ?? "")")
                    open.yield()
                case .modified(let object): seen.append("MODIFIED \(object.data?["k"] ?? "")")
                case .deleted(let object): seen.append("DELETED \(object.metadata.name ?? "")")
                case .bookmark(let version): seen.append("BOOKMARK \(version)")
                }
            }
        } catch {
            failure = error
        }
        #expect(seen == ["ADDED 2501", "BOOKMARK 2600", "MODIFIED b"])
        guard case KubeError.gone(let status)? = failure else {
            Issue.record("expected 410 Gone, got \(String(describing: failure))")
            return
        }
        #expect(status.reason == "Expired")
        let query = try #require(server.received.first?.query)
        for part in ["watch=true", "allowWatchBookmarks=true", "resourceVersion=2500", "timeoutSeconds="] {
            #expect(query.contains(part), "\(part)")
        }
    }

    @Test("a watch refused at the start (HTTP 410) throws gone")
    func goneAtStart() async throws {
        let server = try await ReplayServer { router, _ in
            router.get("/api/v1/namespaces/team-a/configmaps") { _, _ in
                ReplayServer.json(Recorded.status(410, reason: "Expired", message: "too old resource version: 1 (2500)"), status: .gone)
            }
        }
        defer { server.stop() }
        let client = KubeClient(ClientConfiguration(server: server.url, namespace: "team-a"))
        await #expect {
            for try await _ in client.watch(ConfigMap.self, namespace: "team-a", resourceVersion: "1") {}
        } throws: { error in
            guard case KubeError.gone = error else { return false }
            return true
        }
    }
}

/// A test CA, a server certificate for 127.0.0.1 and a client certificate, made with openssl.
struct TestPKI {
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("kube-pki-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n".write(to: file("server.ext"), atomically: true, encoding: .utf8)
        try "extendedKeyUsage=clientAuth\n".write(to: file("client.ext"), atomically: true, encoding: .utf8)
        try run(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-days", "1", "-subj", "/CN=test-ca"])
        for (name, subject) in [("server", "/CN=127.0.0.1"), ("client", "/O=system:masters/CN=operator")] {
            try run(["req", "-newkey", "rsa:2048", "-nodes", "-keyout", "\(name).key", "-out", "\(name).csr", "-subj", subject])
            try run(["x509", "-req", "-in", "\(name).csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-out", "\(name).crt", "-days", "1", "-extfile", "\(name).ext"])
        }
    }

    func file(_ name: String) -> URL { directory.appendingPathComponent(name) }
    func base64(_ name: String) throws -> String { try Data(contentsOf: file(name)).base64EncodedString() }

    private func run(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw ReplayError("openssl \(arguments.joined(separator: " ")) failed") }
    }

    /// Serves with the server certificate and requires a client certificate from the CA.
    func serverTLS() throws -> TLSConfiguration {
        var tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: [.certificate(try NIOSSLCertificate(file: file("server.crt").path, format: .pem))],
            privateKey: .privateKey(try NIOSSLPrivateKey(file: file("server.key").path, format: .pem))
        )
        tls.certificateVerification = .noHostnameVerification
        tls.trustRoots = .file(file("ca.crt").path)
        return tls
    }
}

@Suite(.serialized) struct TLSTests {
    func kubeconfig(_ pki: TestPKI, port: Int, user: String, cluster: String) throws -> String {
        let path = pki.file("kubeconfig-\(UUID().uuidString)").path
        try """
        apiVersion: v1
        kind: Config
        current-context: test
        contexts:
        - name: test
          context: {cluster: loopback, user: operator, namespace: team-a}
        - name: other
          context: {cluster: nowhere, user: operator}
        clusters:
        - name: loopback
          cluster:
            server: https://127.0.0.1:\(port)
        \(cluster)
        users:
        - name: operator
          user:
        \(user)
        """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("TLS with a test CA and a client certificate, from kubeconfig data or files; without either it fails")
    func mutualTLS() async throws {
        let pki = try TestPKI()
        defer { try? FileManager.default.removeItem(at: pki.directory) }
        let server = try await ReplayServer(tls: try pki.serverTLS()) { router, _ in
            router.get("/api/v1/namespaces/team-a/configmaps/weather") { _, _ in ReplayServer.json(Recorded.configMap("weather", rv: "5")) }
        }
        defer { server.stop() }
        let retry = RetryPolicy(attempts: 1)

        let withData = try kubeconfig(pki, port: server.port,
                                      user: "      client-certificate-data: \(try pki.base64("client.crt"))\n      client-key-data: \(try pki.base64("client.key"))",
                                      cluster: "    certificate-authority-data: \(try pki.base64("ca.crt"))")
        let configuration = try ClientConfiguration.fromKubeconfig(path: withData)
        #expect(configuration.namespace == "team-a")
        let object = try await KubeClient(configuration, retry: retry).get(ConfigMap.self, namespace: "team-a", name: "weather")
        #expect(object.metadata.resourceVersion == "5")

        let withFiles = try kubeconfig(pki, port: server.port, user: "      client-certificate: client.crt\n      client-key: client.key", cluster: "    certificate-authority: ca.crt")
        _ = try await KubeClient(try ClientConfiguration.fromKubeconfig(path: withFiles), retry: retry).get(ConfigMap.self, namespace: "team-a", name: "weather")

        let noClientCertificate = try kubeconfig(pki, port: server.port, user: "      token: abc", cluster: "    certificate-authority: ca.crt")
        await #expect(throws: KubeError.self) {
            try await KubeClient(try ClientConfiguration.fromKubeconfig(path: noClientCertificate), retry: retry).get(ConfigMap.self, namespace: "team-a", name: "weather")
        }
        let untrusted = try kubeconfig(pki, port: server.port, user: "      client-certificate: client.crt\n      client-key: client.key", cluster: "    insecure-skip-tls-verify: false")
        await #expect(throws: KubeError.self) {
            try await KubeClient(try ClientConfiguration.fromKubeconfig(path: untrusted), retry: retry).get(ConfigMap.self, namespace: "team-a", name: "weather")
        }
        #expect(throws: ConfigurationError.self) { try ClientConfiguration.fromKubeconfig(path: withFiles, context: "other") }
    }

    @Test("in cluster: the service account's server, CA, token file and namespace")
    func inCluster() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("sa-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        try "token".write(to: root.appendingPathComponent("token"), atomically: true, encoding: .utf8)
        try "mcp-runtime\n".write(to: root.appendingPathComponent("namespace"), atomically: true, encoding: .utf8)
        let configuration = try ClientConfiguration.inCluster(environment: ["KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "443"], root: root.path)
        #expect(configuration.server == "https://10.96.0.1:443")
        #expect(configuration.namespace == "mcp-runtime")
        #expect(configuration.tls.caFile == root.appendingPathComponent("ca.crt").path)
        guard case .tokenFile(let path) = configuration.credentials else { Issue.record("expected a token file"); return }
        #expect(path == root.appendingPathComponent("token").path)
        #expect(throws: ConfigurationError.self) { try ClientConfiguration.inCluster(environment: [:], root: root.path) }
    }
}
