import MCPAuth
import Testing

@Suite struct ChallengeTests {
    let prm = "https://mcp.example.com/.well-known/oauth-protected-resource/team-a/mcp"

    @Test("no token: resource_metadata and scope, no error")
    func noToken() {
        let challenge = BearerChallenge(resourceMetadata: prm, scope: ["mcp:tools"])
        #expect(challenge.headerValue == #"Bearer resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource/team-a/mcp", scope="mcp:tools""#)
    }

    @Test("bad token: the same plus invalid_token")
    func invalidToken() {
        let challenge = BearerChallenge(resourceMetadata: prm, scope: ["mcp:tools", "weather:read"], error: .invalidToken)
        #expect(challenge.headerValue == #"Bearer resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource/team-a/mcp", scope="mcp:tools weather:read", error="invalid_token""#)
    }

    @Test("step-up: insufficient_scope with the scopes to ask for")
    func insufficientScope() {
        let challenge = BearerChallenge(resourceMetadata: prm, scope: ["mcp:tools", "weather:write"], error: .insufficientScope)
        #expect(challenge.headerValue.hasSuffix(#"scope="mcp:tools weather:write", error="insufficient_scope""#))
    }

    @Test("no scope known: the parameter is left out, not sent empty")
    func noScope() {
        #expect(BearerChallenge(resourceMetadata: prm, scope: []).headerValue == #"Bearer resource_metadata="\#(prm)""#)
    }

    @Test("a description can never smuggle a parameter")
    func description() throws {
        let challenge = BearerChallenge(resourceMetadata: prm, scope: ["a"], error: .invalidToken, errorDescription: #"bad" scope="admin"#)
        let parsed = try #require(try ChallengeParser.parse(challenge.headerValue).first)
        #expect(parsed.parameters["scope"] == "a")
        #expect(parsed.parameters["error_description"] == "bad scope admin")
        #expect(!parsed.duplicateParameters)
    }

    @Test("a quote, backslash or = combined with a mark is still one in a description, and controls are dropped (found by hack/fuzz.sh challenge)", arguments: [
        "a=\u{301}b", "a\"\u{301}, scope=\"admin", "a\u{600}\\", "a\u{600}\"b", "a\u{0}b\u{7F}\u{2028}c\u{85}",
    ])
    func combinedDescription(description: String) throws {
        let challenge = BearerChallenge(resourceMetadata: prm, scope: ["a"], error: .invalidRequest, errorDescription: description)
        let parsed = try ChallengeParser.parse(challenge.headerValue)
        #expect(parsed.count == 1)
        #expect(parsed.first?.parameters.keys.sorted() == ["error", "error_description", "resource_metadata", "scope"])
        let read = try #require(parsed.first?.parameters["error_description"])
        #expect(!read.unicodeScalars.contains { "\"\\=".unicodeScalars.contains($0) || $0.value < 0x20 || $0.value == 0x7F }, "\(read.debugDescription)")
    }

    @Test("a value with a quote or backslash inside a Character of its own is still escaped")
    func quotedByScalar() throws {
        let metadata = "https://a.example/\"\u{301}x\\\u{301}"
        let parsed = try ChallengeParser.parse(BearerChallenge(resourceMetadata: metadata, scope: []).headerValue)
        #expect(parsed.first.map { Array($0.parameters["resource_metadata"]?.unicodeScalars ?? "".unicodeScalars) } == Array(metadata.unicodeScalars))
    }

    @Test("what the proxy sends parses back, each parameter once")
    func roundTrip() throws {
        let header = BearerChallenge(resourceMetadata: prm, scope: ["x", "y"], error: .insufficientScope).headerValue
        let challenges = try ChallengeParser.parse(header)
        #expect(challenges.count == 1)
        #expect(challenges[0].scheme == "bearer")
        #expect(challenges[0].parameters == ["resource_metadata": prm, "scope": "x y", "error": "insufficient_scope"])
    }

    @Test("the parser reads several challenges, any scheme case, escapes and token values")
    func parser() throws {
        let challenges = try ChallengeParser.parse(#"Basic realm="x", bEaReR error=invalid_token, scope="a \"b\"", scope="c""#)
        #expect(challenges.map(\.scheme) == ["basic", "bearer"])
        #expect(challenges[1].parameters["error"] == "invalid_token")
        #expect(challenges[1].parameters["scope"] == "c")
        #expect(challenges[1].duplicateParameters)
    }

    @Test("an unterminated quoted string is malformed")
    func malformed() {
        #expect(throws: ChallengeParser.Failure.self) { try ChallengeParser.parse(#"Bearer scope="open"#) }
    }
}
