import AsyncHTTPClient
import Foundation
import Hummingbird
import KubeCore
import MCPProxyConfig
@testable import MCPProxyServer
import NIOCore
import NIOSSL
import TestServers
import Testing

/// Two unrelated test CAs made with openssl; the first signs a server certificate for
/// 127.0.0.1 and localhost, and one for another name only.
struct IssuerPKI {
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("issuer-pki-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for ca in ["ca", "other-ca"] {
            try run(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "\(ca).key", "-out", "\(ca).crt", "-days", "1", "-subj", "/CN=\(ca)",
                     "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"])
        }
        for (name, san) in [("server", "IP:127.0.0.1,DNS:localhost"), ("elsewhere", "DNS:auth.example.com")] {
            try "subjectAltName=\(san)\nextendedKeyUsage=serverAuth\n".write(to: file("\(name).ext"), atomically: true, encoding: .utf8)
            try run(["req", "-newkey", "rsa:2048", "-nodes", "-keyout", "\(name).key", "-out", "\(name).csr", "-subj", "/CN=\(name)"])
            try run(["x509", "-req", "-in", "\(name).csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-out", "\(name).crt", "-days", "1", "-extfile", "\(name).ext"])
        }
    }

    func file(_ name: String) -> URL { directory.appendingPathComponent(name) }
    func path(_ name: String) -> String { file(name).path }

    func serverTLS(_ name: String = "server") throws -> TLSConfiguration {
        TLSConfiguration.makeServerConfiguration(
            certificateChain: [.certificate(try NIOSSLCertificate(file: path("\(name).crt"), format: .pem))],
            privateKey: .privateKey(try NIOSSLPrivateKey(file: path("\(name).key"), format: .pem))
        )
    }

    func write(_ name: String, _ text: String) throws -> String {
        try text.write(to: file(name), atomically: true, encoding: .utf8)
        return path(name)
    }

    func remove() { try? FileManager.default.removeItem(at: directory) }

    private func run(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw HarnessError("openssl \(arguments.joined(separator: " ")) failed") }
    }
}

/// `auth.oauth.issuerCAFile`: the issuer's client trusts exactly its certificates, host
/// names still checked, and a file that is not a PEM certificate stops the proxy at start.
@Suite(.serialized) struct IssuerCATests {
    @Test("a file that is missing, a directory, empty or not a PEM certificate is refused, naming the file")
    func unusableFiles() throws {
        let pki = try IssuerPKI()
        defer { pki.remove() }
        let key = try String(contentsOf: pki.file("ca.key"), encoding: .utf8)
        let certificate = try String(contentsOf: pki.file("ca.crt"), encoding: .utf8)
        let cases: [(String, String)] = [
            (pki.path("absent.pem"), "no such file"),
            (pki.directory.path, "is a directory"),
            (try pki.write("empty.pem", ""), "holds no PEM certificate"),
            (try pki.write("garbage.pem", "this is not a certificate\n"), "holds no PEM certificate"),
            (try pki.write("key.pem", key), "holds no PEM certificate"),
            (try pki.write("broken.pem", "-----BEGIN CERTIFICATE-----\nnot base64 at all!\n-----END CERTIFICATE-----\n"), "not a valid PEM certificate"),
            (try pki.write("truncated.pem", String(certificate.prefix(certificate.count / 2))), "not a valid PEM certificate"),
        ]
        for (path, message) in cases {
            do {
                _ = try IssuerTLS.configuration(caFile: path)
                Issue.record("\(path) was accepted")
            } catch {
                #expect(error.description.contains("auth.oauth.issuerCAFile \(path)"), "\(error.description)")
                #expect(error.description.contains(message), "\(path): \(error.description)")
            }
        }
    }

    @Test("without a file the system store (AsyncHTTPClient's default); with one, exactly its certificates and full verification")
    func configuration() throws {
        let pki = try IssuerPKI()
        defer { pki.remove() }
        #expect(try IssuerTLS.configuration(caFile: nil) == nil)
        let bundle = try pki.write("bundle.pem", try String(contentsOf: pki.file("ca.crt"), encoding: .utf8) + String(contentsOf: pki.file("other-ca.crt"), encoding: .utf8))
        let tls = try #require(try IssuerTLS.configuration(caFile: bundle))
        guard case .certificates(let roots)? = tls.trustRoots else {
            Issue.record("trust roots: \(String(describing: tls.trustRoots))")
            return
        }
        #expect(roots.count == 2)
        #expect(tls.certificateVerification == .fullVerification)
        #expect(tls.additionalTrustRoots.isEmpty, "nothing added from the system store")
        let client = try IssuerTLS.clientConfiguration(caFile: bundle)
        #expect(client.tlsConfiguration?.bestEffortEquals(tls) == true)
        #expect(client.connectionPool.retryConnectionEstablishment == false)
    }

    @Test("over TLS: the private CA is trusted, the system store and another CA are not, and the host name is checked")
    func trust() async throws {
        let pki = try IssuerPKI()
        defer { pki.remove() }
        let router = Router()
        router.get("/.well-known/oauth-authorization-server") { _, _ in "{}" }
        let (port, server) = try await startLoopback(router, name: "tls-issuer", tls: try pki.serverTLS())
        let (elsewherePort, elsewhere) = try await startLoopback(router, name: "tls-elsewhere", tls: try pki.serverTLS("elsewhere"))
        defer {
            server.cancel()
            elsewhere.cancel()
        }

        func fetch(_ caFile: String?, port: Int) async -> Result<Int, any Error> {
            let client: HTTPClient
            do {
                client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: try IssuerTLS.clientConfiguration(caFile: caFile))
            } catch {
                return .failure(error)
            }
            let result: Result<Int, any Error>
            do {
                let response = try await client.execute(HTTPClientRequest(url: "https://127.0.0.1:\(port)/.well-known/oauth-authorization-server"), timeout: .seconds(10))
                result = .success(Int(response.status.code))
            } catch {
                result = .failure(error)
            }
            try? await client.shutdown()
            return result
        }

        #expect(try await fetch(pki.path("ca.crt"), port: port).get() == 200)
        for (caFile, what) in [(nil, "the system store"), (pki.path("other-ca.crt"), "another CA")] as [(String?, String)] {
            guard case .failure(let error) = await fetch(caFile, port: port) else {
                Issue.record("\(what) trusted the private CA's server")
                continue
            }
            #expect("\(error)".lowercased().contains("certificate") || "\(error)".contains("handshake"), "\(what): \(error)")
        }
        guard case .failure = await fetch(pki.path("ca.crt"), port: elsewherePort) else {
            Issue.record("a certificate of the right CA for another host name was accepted")
            return
        }
    }

    static func config(issuer: String, caFile: String?, upstreamPort: Int, secrets: URL) throws -> String {
        var config = try JSONDecoder().decode(ProxyConfig.self, from: Data(IssuerClientTests.config(issuer: issuer, upstreamPort: upstreamPort, secrets: secrets).utf8))
        config.auth.oauth?.issuerCAFile = caFile
        return String(decoding: try KubeJSON.encode(config), as: UTF8.self)
    }

    private func call(_ client: HTTPClient, port: Int, token: String) async throws -> (status: Int, body: String) {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/mcp")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.body = .bytes(ByteBuffer(string: ProxyServerTests.call))
        let response = try await client.execute(request, timeout: .seconds(10))
        return (Int(response.status.code), String(buffer: try await response.body.collect(upTo: 1 << 16)))
    }

    @Test("mcp-proxy against an HTTPS issuer of a private CA: with the CA, introspection and token exchange work; without it or with another CA, 503")
    func proxyBinary() async throws {
        let pki = try IssuerPKI()
        defer { pki.remove() }
        let issuer = try await StandInIssuer(tls: try pki.serverTLS())
        let upstream = try await RecordingUpstream()
        let secrets = pki.directory
        try "proxy-secret".write(to: secrets.appendingPathComponent("introspection"), atomically: true, encoding: .utf8)
        try "exchange-secret".write(to: secrets.appendingPathComponent("exchange"), atomically: true, encoding: .utf8)
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        defer {
            upstream.stop()
            issuer.stop()
        }
        #expect(issuer.issuer.hasPrefix("https://"))
        for (caFile, expected) in [(pki.path("ca.crt"), 200), (nil, 503), (pki.path("other-ca.crt"), 503)] as [(String?, Int)] {
            let proxy = try ProxyProcess(config: Self.config(issuer: issuer.issuer, caFile: caFile, upstreamPort: upstream.port, secrets: secrets))
            defer { proxy.stop() }
            try await proxy.waitUntilHealthy(client: client)
            let answer = try await call(client, port: proxy.port, token: "opaque-good")
            #expect(answer.status == expected, "issuerCAFile \(caFile ?? "absent"): \(answer.body)")
        }
        try await client.shutdown()
        #expect(upstream.seen.count == 1, "only the proxy that trusts the CA forwarded")
        #expect(upstream.seen.first?.headers["authorization"] == "Bearer upstream-token-1", "the token endpoint was reached over TLS too")
    }

    @Test("mcp-proxy exits at start, naming the file, when issuerCAFile is not a usable PEM file")
    func proxyRefusesABadCAFile() async throws {
        let pki = try IssuerPKI()
        defer { pki.remove() }
        let garbage = try pki.write("garbage.pem", "not a certificate")
        for (path, message) in [(garbage, "holds no PEM certificate"), (pki.path("absent.pem"), "no such file")] {
            let proxy = try ProxyProcess(config: Self.config(issuer: "https://127.0.0.1:9", caFile: path, upstreamPort: 9, secrets: pki.directory))
            proxy.process.waitUntilExit()
            #expect(proxy.process.terminationStatus != 0)
            let output = proxy.output()
            #expect(output.contains("auth.oauth.issuerCAFile \(path)") && output.contains(message), "\(output)")
        }
    }
}
