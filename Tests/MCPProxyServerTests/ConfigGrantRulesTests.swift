import Foundation
import MCPProxyConfig
import Testing

/// Grants' resource and prompt rules in `config.json`: absent in a config of an earlier
/// renderer (every resource and prompt, as then), read when present, refused when a rule
/// could match nothing or everything unnoticed.
@Suite struct ConfigGrantRulesTests {
    static func config(grant: String) -> Data {
        let grants = #""grants":[{"name":"alice","namespace":"team-a","subject":{"humanID":"alice"},"allowedSideEffects":["read"],"disabled":false,"toolRules":[]\#(grant)}]"#
        return Data(ConfigDecoderFindingsTests.config.replacingOccurrences(of: #""grants":[]"#, with: grants).appending("}").utf8)
    }

    @Test("absent rules are none; given ones are read; empty lists are left out when written again")
    func rules() throws {
        let earlier = try ProxyConfigDecoder.decode(Self.config(grant: ""), source: "test")
        #expect(earlier.grants[0].resourceRules.isEmpty && earlier.grants[0].promptRules.isEmpty)
        let written = try JSONSerialization.jsonObject(with: try JSONEncoder().encode(earlier.grants[0])) as? [String: Any]
        #expect(written?["resourceRules"] == nil && written?["promptRules"] == nil && written?["toolRules"] != nil)
        let current = try ProxyConfigDecoder.decode(Self.config(grant: #","resourceRules":[{"uriPattern":"w://*/ops","decision":"deny"}],"promptRules":[{"name":"p","decision":"allow"}]"#), source: "test")
        #expect(current.grants[0].resourceRules == [.init(uriPattern: "w://*/ops", decision: .deny)])
        #expect(current.grants[0].promptRules == [.init(name: "p", decision: .allow)])
    }

    @Test("a resource rule without exactly one valid match is refused", arguments: [
        #"{"decision":"allow"}"#, #"{"uriPrefix":"","decision":"allow"}"#, #"{"uriPrefix":"a","uriPattern":"b","decision":"allow"}"#, #"{"uriPattern":"***","decision":"allow"}"#,
    ])
    func refused(rule: String) {
        #expect(throws: ProxyConfigError.self) { try ProxyConfigDecoder.decode(Self.config(grant: #","resourceRules":[\#(rule)]"#), source: "test") }
    }
}
