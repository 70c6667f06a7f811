import MCPAuth
import Testing

@Suite struct CredentialTests {
    static let jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln"

    @Test("where a bearer token is, and is not", arguments: [
        ([("Authorization", "Bearer \(jwt)")], nil, BearerCredential.token(jwt)),
        ([("authorization", "bearer \(jwt)")], nil, .token(jwt)),
        ([("Authorization", "BEARER   \(jwt)  ")], nil, .token(jwt)),
        ([], nil, .absent),
        ([("Authorization", "Basic YTpi")], nil, .absent),
        ([("Authorization", "Bearer")], nil, .malformed(.emptyBearer)),
        ([("Authorization", "Bearer   ")], nil, .malformed(.emptyBearer)),
        ([("Authorization", "Bearer a b")], nil, .malformed(.invalidCharacters)),
        ([("Authorization", "Bearer aZ09-._~+/==")], nil, .token("aZ09-._~+/==")),
        ([("Authorization", "Bearer ab=c")], nil, .malformed(.invalidCharacters)),
        ([("Authorization", "Bearer =abc")], nil, .malformed(.invalidCharacters)),
        ([("Authorization", "Bearer tök")], nil, .malformed(.invalidCharacters)),
        ([("Authorization", "Bearer a\u{0}b")], nil, .malformed(.invalidCharacters)),
        ([("Authorization", "Bearer a"), ("Authorization", "Bearer b")], nil, .malformed(.multipleCredentials)),
        ([("Authorization", "Bearer a, Bearer b")], nil, .malformed(.multipleCredentials)),
        ([("Authorization", "Bearer \(jwt)")], "access_token=\(jwt)", .malformed(.tokenInQuery)),
        ([], "x=1&access%5Ftoken=abc", .malformed(.tokenInQuery)),
        ([], "x=1&token=abc", .absent),
        // Found by fuzzing: `&` or `;` after a prepended mark is one Character with it, still a separator to servers.
        ([("Authorization", "Bearer \(jwt)")], "x=\u{600}&access_token=abc", .malformed(.tokenInQuery)),
        ([], "x=\u{600};ACCESS_TOKEN=abc", .malformed(.tokenInQuery)),
        ([], "x=1&access_token=\u{301}abc", .malformed(.tokenInQuery)),
        ([], "x=\u{600}&access_token\u{301}=abc", .absent),
    ] as [([(String, String)], String?, BearerCredential)])
    func authorizationHeader(headers: [(String, String)], query: String?, expected: BearerCredential) {
        let result = CredentialExtractor.extract(headers: headers.map { (name: $0.0, value: $0.1) }, tokenHeader: "Authorization", query: query)
        #expect(result == expected)
    }

    @Test("a dedicated token header takes a bare token or a bearer one, and not both headers at once", arguments: [
        ([("X-Token", jwt)], BearerCredential.token(jwt)),
        ([("x-token", "Bearer \(jwt)")], .token(jwt)),
        ([("X-Token", jwt), ("Authorization", "Bearer other")], .malformed(.multipleCredentials)),
        ([("Authorization", "Bearer other")], .absent),
    ] as [([(String, String)], BearerCredential)])
    func customHeader(headers: [(String, String)], expected: BearerCredential) {
        #expect(CredentialExtractor.extract(headers: headers.map { (name: $0.0, value: $0.1) }, tokenHeader: "X-Token", query: nil) == expected)
    }
}

@Suite struct ASCIICaseTests {
    @Test("protocol tokens compare without ASCII case, and only ASCII letters fold", arguments: [
        ("Authorization", "authorization", true), ("X-Token", "x-TOKEN", true), ("bearer", "Bearer", true),
        ("Origin", "Origins", false), ("a-b", "a_b", false), ("[", "{", false), ("É", "é", false),
    ])
    func compare(_ a: String, _ b: String, equal: Bool) {
        #expect(a.equalsIgnoringASCIICase(b) == equal)
    }
}
