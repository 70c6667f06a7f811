import MCPProxyCore
import Testing

@Suite struct AuditRecordTests {
    @Test("the cache key is the token's whole SHA-256 in lowercase hex; the audit fingerprint its first 12 digits")
    func digest() {
        #expect(AuditRecord.digest(of: "abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(AuditRecord.fingerprint(of: "abc") == "ba7816bf8f01")
    }
}
