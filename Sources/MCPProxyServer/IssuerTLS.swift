import AsyncHTTPClient
import Foundation
import NIOSSL

/// What the proxy trusts when it connects to the issuer's endpoints (metadata, JWKS,
/// introspection, token exchange): the system store, or with `auth.oauth.issuerCAFile`
/// exactly the certificates of that file, read once when the proxy starts. Chain and host
/// name are verified either way. A file that cannot be read or holds no certificate is an
/// error, never a fallback to the system store.
enum IssuerTLS {
    struct Failure: Error, CustomStringConvertible, Sendable {
        var description: String
        init(_ description: String) { self.description = description }
    }

    /// The configuration of the one client for the issuer's endpoints: no redirects, no
    /// decompression, connections not retried, and the trust of `caFile` (see `configuration`).
    static func clientConfiguration(caFile: String?) throws(Failure) -> HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration()
        configuration.tlsConfiguration = try self.configuration(caFile: caFile)
        configuration.redirectConfiguration = .disallow
        configuration.decompression = .disabled
        // A refused connection fails at once instead of being retried until the connect
        // timeout (AsyncHTTPClient's default); the issuer caches retry on their own schedule.
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(3)
        return configuration
    }

    /// The TLS configuration for the issuer's client; nil: AsyncHTTPClient's default
    /// (the system store).
    static func configuration(caFile: String?) throws(Failure) -> TLSConfiguration? {
        guard let caFile else { return nil }
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .certificates(try certificates(in: caFile))
        // makeClientConfiguration verifies the chain and the host name (.fullVerification);
        // stated here so that no later edit weakens it unnoticed.
        tls.certificateVerification = .fullVerification
        return tls
    }

    /// The PEM certificates in `path`: at least one, or why not.
    static func certificates(in path: String) throws(Failure) -> [NIOSSLCertificate] {
        let field = "auth.oauth.issuerCAFile \(path)"
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw Failure("\(field): no such file")
        }
        if isDirectory.boolValue { throw Failure("\(field): is a directory, not a PEM file") }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw Failure("\(field): cannot read the file (\(error.localizedDescription))")
        }
        guard data.range(of: Data("-----BEGIN CERTIFICATE-----".utf8)) != nil else {
            throw Failure("\(field): holds no PEM certificate (-----BEGIN CERTIFICATE-----)")
        }
        let certificates: [NIOSSLCertificate]
        do {
            certificates = try NIOSSLCertificate.fromPEMBytes(Array(data))
        } catch {
            throw Failure("\(field): not a valid PEM certificate (\(error))")
        }
        guard !certificates.isEmpty else { throw Failure("\(field): holds no PEM certificate") }
        return certificates
    }
}
