import CCurl
import Foundation

/// How the client trusts the API server and proves itself: a CA and an optional client
/// certificate, each from a file or from memory (kubeconfig `*-data`, already decoded).
public struct TLSSettings: Sendable, Hashable {
    public var caFile: String?
    public var caData: Data?
    public var clientCertificateFile: String?
    public var clientCertificateData: Data?
    public var clientKeyFile: String?
    public var clientKeyData: Data?
    /// kubeconfig `insecure-skip-tls-verify`; never set by the in-cluster configuration.
    public var insecureSkipVerify: Bool

    public init(
        caFile: String? = nil, caData: Data? = nil, clientCertificateFile: String? = nil, clientCertificateData: Data? = nil,
        clientKeyFile: String? = nil, clientKeyData: Data? = nil, insecureSkipVerify: Bool = false
    ) {
        self.caFile = caFile
        self.caData = caData
        self.clientCertificateFile = clientCertificateFile
        self.clientCertificateData = clientCertificateData
        self.clientKeyFile = clientKeyFile
        self.clientKeyData = clientKeyData
        self.insecureSkipVerify = insecureSkipVerify
    }

    func apply(to handle: UnsafeMutableRawPointer) {
        if let caFile { mcp_curl_set_string(handle, CURLOPT_CAINFO, caFile) }
        if let caData { Self.blob(handle, CURLOPT_CAINFO_BLOB, caData) }
        if let clientCertificateFile { mcp_curl_set_string(handle, CURLOPT_SSLCERT, clientCertificateFile) }
        if let clientCertificateData {
            Self.blob(handle, CURLOPT_SSLCERT_BLOB, clientCertificateData)
            mcp_curl_set_string(handle, CURLOPT_SSLCERTTYPE, "PEM")
        }
        if let clientKeyFile { mcp_curl_set_string(handle, CURLOPT_SSLKEY, clientKeyFile) }
        if let clientKeyData {
            Self.blob(handle, CURLOPT_SSLKEY_BLOB, clientKeyData)
            mcp_curl_set_string(handle, CURLOPT_SSLKEYTYPE, "PEM")
        }
        mcp_curl_set_long(handle, CURLOPT_SSL_VERIFYPEER, insecureSkipVerify ? 0 : 1)
        mcp_curl_set_long(handle, CURLOPT_SSL_VERIFYHOST, insecureSkipVerify ? 0 : 2)
    }

    private static func blob(_ handle: UnsafeMutableRawPointer, _ option: CURLoption, _ data: Data) {
        data.withUnsafeBytes { bytes in
            _ = mcp_curl_set_blob(handle, option, bytes.baseAddress, bytes.count)
        }
    }
}
