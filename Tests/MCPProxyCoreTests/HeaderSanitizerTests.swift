import MCPProxyCore
import Testing

@Suite struct HeaderSanitizerTests {
    @Test("Connection lists names over bytes: a comma after a prepended mark (one Character with it) still separates (found by hack/fuzz.sh headers)")
    func connectionListedOverBytes() {
        let listed = HeaderSanitizer.connectionScoped([(name: "connection", value: "close,  x-a \u{600},x-b"), (name: "Connection", value: "X_C ,\u{301}x-d")])
        #expect(listed.isSuperset(of: ["close", "x-a \u{600}", "x-b", "x-c", "\u{301}x-d"]), "\(listed)")
    }
}
