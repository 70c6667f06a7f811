import Crypto
import Foundation
import KubeCore

extension ProxyConfig {
    /// `sha256:<hex>` of the canonical JSON of this config without its `revision`: what
    /// the renderer writes into `revision`, and what the proxy computes again for every
    /// config it loads, so that a document edited by hand is a new revision whatever its
    /// `revision` field says.
    public var contentRevision: String {
        var unrevised = self
        unrevised.revision = nil
        // Encoding a value of plain Codable structs cannot fail.
        let bytes = (try? KubeJSON.encode(unrevised)) ?? Data()
        let digits = Array("0123456789abcdef".utf8)
        return "sha256:" + String(decoding: SHA256.hash(data: bytes).flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0x0f)]] }, as: UTF8.self)
    }
}
