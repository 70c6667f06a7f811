import Foundation
import MCPTokenVerification
import Testing

/// What `hack/fuzz.sh jwsheader` found in the JWS header reader (`TokenVerifier.header(of:)`,
/// then on Foundation's JSONDecoder), fixed by reading the header as strict JSON.
@Suite struct JWSHeaderFindingsTests {
    static func token(header: [UInt8]) -> String {
        let segment = Data(header).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        return segment + ".e30.c2ln"
    }

    @Test("a header member named twice is malformed (RFC 7515 §4: refuse, not pick one)")
    func duplicateMember() {
        let token = Self.token(header: Array(#"{"alg":"RS256","alg":"none","kid":"rsa-1"}"#.utf8))
        #expect(throws: TokenRejection.malformed) { try TokenVerifier.header(of: token) }
    }

    @Test("a header that is not valid JSON (invalid UTF-8, a raw control character) is malformed")
    func invalidJSON() {
        for header in [
            Array(#"{"alg":"RS256","kid":"a"#.utf8) + [0xED, 0x33] + Array(#""}"#.utf8),  // kid read as absent
            Array(#"{"alg":"RS256","kid":"rsa-1","x":"a"#.utf8) + [0x01] + Array(#""}"#.utf8),  // a raw control character, unread
        ] {
            #expect(throws: TokenRejection.malformed) { try TokenVerifier.header(of: Self.token(header: header)) }
        }
    }
}
