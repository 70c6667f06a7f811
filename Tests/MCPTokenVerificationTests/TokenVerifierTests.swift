import Crypto
import Foundation
import JWTKit
import KubeCore
import MCPAuth
import MCPTestSupport
import MCPRuntimeAPI
import MCPTokenVerification
import Testing

@Suite struct TokenVerifierTests {
    let issuer = TestIssuer.shared
    let verifier = TokenVerifier(issuer: TestIssuer.issuer, audience: TestIssuer.audience, algorithms: [.rs256, .es256], clockSkewSeconds: 60)

    private func verify(_ token: String, keys: VerificationKeys? = nil, now: Date = TestIssuer.now) async throws(TokenRejection) -> TokenClaims {
        // The standard key set cannot fail to build.
        let keys = keys ?? (try! issuer.keys())
        return try await verifier.verify(token, keys: keys, now: now)
    }

    @Test("valid RS256 and ES256 tokens verify and yield their claims")
    func valid() async throws {
        let rs = try await verify(try await issuer.signRSA(TestIssuer.claims()))
        #expect(rs.claims["sub"] == .string("alice"))
        #expect(rs.scopes == ["mcp:tools"])
        let es = try await verify(try await issuer.signEC(TestIssuer.claims()))
        #expect(es.claims["client_id"] == .string("planner"))
    }

    @Test("aud may be an array that contains the resource")
    func audienceArray() async throws {
        let token = try await issuer.signRSA(TestIssuer.claims { $0["aud"] = .array([.string("https://other"), .string(TestIssuer.audience)]) })
        _ = try await verify(token)
    }

    @Test("alg none is refused before any key is used")
    func algNone() async throws {
        let token = try TestIssuer.crafted(header: ["alg": .string("none"), "kid": .string("rsa-1")], claims: TestIssuer.claims())
        await #expect(throws: TokenRejection.algorithmNotAllowed("none")) { try await verify(token) }
    }

    @Test("HS256 signed with the issuer's public key as the secret is refused")
    func hmacWithPublicKey() async throws {
        let secret = SymmetricKey(data: Data(try issuer.rsa.publicKey.pemRepresentation.utf8))
        let token = try TestIssuer.crafted(header: ["alg": .string("HS256"), "kid": .string("rsa-1")], claims: TestIssuer.claims()) { input in
            Data(HMAC<SHA256>.authenticationCode(for: input, using: secret))
        }
        await #expect(throws: TokenRejection.algorithmNotAllowed("HS256")) { try await verify(token) }
    }

    @Test("a foreign key signing under a real kid fails the signature")
    func foreignKey() async throws {
        let token = try await issuer.signRSA(TestIssuer.claims(), kid: "rsa-1", key: issuer.otherRSA)
        await #expect(throws: TokenRejection.badSignature) { try await verify(token) }
    }

    @Test("an unknown kid asks for a refetch instead of falling back to another key")
    func unknownKid() async throws {
        let token = try await issuer.signRSA(TestIssuer.claims(), kid: "rsa-2")
        await #expect(throws: TokenRejection.unknownKey("rsa-2")) { try await verify(token) }
    }

    @Test("a token without kid is refused")
    func missingKid() async throws {
        let token = try TestIssuer.crafted(header: ["alg": .string("RS256")], claims: TestIssuer.claims()) { _ in Data(repeating: 1, count: 256) }
        await #expect(throws: TokenRejection.missingKeyID) { try await verify(token) }
    }

    @Test("the header's alg must fit the key: ES256 on an RSA key, RS384 on an RS256 key")
    func keyAlgorithmMismatch() async throws {
        let esOnRSA = try TestIssuer.crafted(header: ["alg": .string("ES256"), "kid": .string("rsa-1")], claims: TestIssuer.claims()) { _ in Data(repeating: 1, count: 64) }
        await #expect(throws: TokenRejection.keyDoesNotFitAlgorithm) { try await verify(esOnRSA) }
        let wide = TokenVerifier(issuer: TestIssuer.issuer, audience: TestIssuer.audience, algorithms: [.rs256, .rs384], clockSkewSeconds: 60)
        let rs384 = try TestIssuer.crafted(header: ["alg": .string("RS384"), "kid": .string("rsa-1")], claims: TestIssuer.claims()) { _ in Data(repeating: 1, count: 256) }
        await #expect(throws: TokenRejection.keyDoesNotFitAlgorithm) { try await wide.verify(rs384, keys: try issuer.keys(), now: TestIssuer.now) }
    }

    @Test("claim checks", arguments: [
        ("another issuer", TestIssuer.claims { $0["iss"] = .string("https://auth.example.com/realms/other") }, TokenRejection.wrongIssuer),
        ("issuer with a trailing slash", TestIssuer.claims { $0["iss"] = .string(TestIssuer.issuer + "/") }, .wrongIssuer),
        ("another server's audience", TestIssuer.claims { $0["aud"] = .string("https://mcp.example.com/team-b/mcp") }, .wrongAudience),
        ("no audience", TestIssuer.claims { $0["aud"] = nil }, .wrongAudience),
        ("no expiry", TestIssuer.claims { $0["exp"] = nil }, .missingExpiry),
        ("expired beyond the skew", TestIssuer.claims { $0["exp"] = .int(Int64(TestIssuer.now.timeIntervalSince1970) - 61) }, .expired),
        ("not yet valid beyond the skew", TestIssuer.claims { $0["nbf"] = .int(Int64(TestIssuer.now.timeIntervalSince1970) + 61) }, .notYetValid),
    ])
    func claimChecks(_ name: String, claims: [String: JSONValue], rejection: TokenRejection) async throws {
        let token = try await issuer.signRSA(claims)
        await #expect(throws: rejection) { try await verify(token) }
    }

    @Test("the clock skew forgives a little")
    func skew() async throws {
        let token = try await issuer.signRSA(TestIssuer.claims { $0["exp"] = .int(Int64(TestIssuer.now.timeIntervalSince1970) - 30) })
        _ = try await verify(token)
    }

    @Test("malformed tokens", arguments: ["", "a.b", "a.b.c.d", "..", "!!!.e30.", "e30.e30.sig", "eyJhbGciOiJSUzI1NiJ9..sig"])
    func malformed(token: String) async {
        await #expect(throws: TokenRejection.malformed) { try await verify(token) }
    }

    @Test("a tampered payload fails the signature")
    func tampered() async throws {
        let token = try await issuer.signRSA(TestIssuer.claims())
        let parts = token.split(separator: ".").map(String.init)
        let forged = TestIssuer.base64URL(try KubeJSON.encode(JSONValue.object(TestIssuer.claims { $0["sub"] = .string("admin") })))
        await #expect(throws: TokenRejection.badSignature) { try await verify([parts[0], forged, parts[2]].joined(separator: ".")) }
    }

    @Test("at+jwt can be required")
    func accessTokenType() async throws {
        let strict = TokenVerifier(issuer: TestIssuer.issuer, audience: TestIssuer.audience, algorithms: [.rs256], clockSkewSeconds: 60, requireAccessTokenType: true)
        let token = try await issuer.signRSA(TestIssuer.claims())
        await #expect(throws: TokenRejection.wrongType) { try await strict.verify(token, keys: try issuer.keys(), now: TestIssuer.now) }
    }

    static let strict = TokenVerifier(issuer: TestIssuer.issuer, audience: TestIssuer.audience, algorithms: [.rs256], clockSkewSeconds: 60, requireAccessTokenType: true)

    @Test("RFC 9068 §4: at+jwt and application/at+jwt, in any ASCII case, pass when required (and by default)",
          arguments: ["at+jwt", "AT+JWT", "At+Jwt", "application/at+jwt", "Application/AT+JWT"])
    func accessTokenTypeAccepted(typ: String) async throws {
        let token = try await issuer.signRSA(TestIssuer.claims(), header: ["typ": .string(typ)])
        _ = try await Self.strict.verify(token, keys: try issuer.keys(), now: TestIssuer.now)
        _ = try await verify(token)
    }

    @Test("other typ values fail when at+jwt is required, and pass when not",
          arguments: [JWTHeaderField.string("JWT"), .string("jwt"), .string("application/jwt"), .string("at+jwt "), .string(" at+jwt"),
                      .string("at+jwt2"), .string("application/at+jwt;x=1"), .string(""), .string("at+jwt\u{0}"), .string("aт+jwt"),
                      .bool(true), .array([.string("at+jwt")])])
    func accessTokenTypeRefused(typ: JWTHeaderField) async throws {
        let token = try await issuer.signRSA(TestIssuer.claims(), header: ["typ": typ])
        await #expect(throws: TokenRejection.wrongType) { try await Self.strict.verify(token, keys: try issuer.keys(), now: TestIssuer.now) }
        _ = try await verify(token)
    }

    @Test("a token without typ fails when at+jwt is required")
    func accessTokenTypeMissing() async throws {
        // jwt-kit always writes typ; a token with none is crafted (its signature never matters: typ is checked first).
        let token = try TestIssuer.crafted(header: ["alg": .string("RS256"), "kid": .string("rsa-1")], claims: TestIssuer.claims()) { _ in Data(repeating: 1, count: 256) }
        await #expect(throws: TokenRejection.wrongType) { try await Self.strict.verify(token, keys: try issuer.keys(), now: TestIssuer.now) }
    }

    @Test("RFC 7515 §4.1.11: any crit header is refused (no extension is understood), whatever its form",
          arguments: [JWTHeaderField.array([.string("exp")]), .array([.string("b64")]), .array([]), .string("exp"), .null, .bool(false),
                      .int(1), .object([:]), .array([.string("")])])
    func criticalHeader(crit: JWTHeaderField) async throws {
        var fields: [String: JWTHeaderField] = ["crit": crit]
        if case .array(let names) = crit, let name = names.first?.asString, !name.isEmpty { fields[name] = .bool(false) }
        let token = try await issuer.signRSA(TestIssuer.claims(), header: fields)
        await #expect(throws: TokenRejection.criticalHeader) { try await verify(token) }
    }

    @Test("exp, nbf and iat must be JSON numbers when present", arguments: [
        ("exp as a string", "exp", JSONValue.string("1900000300")),
        ("exp as a boolean", "exp", .bool(true)),
        ("exp as an array", "exp", .array([.int(1_900_000_300)])),
        ("nbf as a string", "nbf", .string("1899999990")),
        ("nbf as a string far in the future", "nbf", .string("2999999999")),
        ("nbf as a boolean", "nbf", .bool(false)),
        ("nbf as null", "nbf", .null),
        ("nbf as an object", "nbf", .object(["t": .int(1)])),
        ("iat as a string", "iat", .string("1899999990")),
        ("iat as null", "iat", .null),
        ("iat as an array", "iat", .array([])),
    ])
    func timeClaimsAreNumbers(_ name: String, claim: String, value: JSONValue) async throws {
        let token = try await issuer.signRSA(TestIssuer.claims { $0[claim] = value })
        await #expect(throws: TokenRejection.notANumber(claim)) { try await verify(token) }
    }

    @Test("an exp of null is no expiry; fractional NumericDates are numbers")
    func timeClaimEdges() async throws {
        let null = try await issuer.signRSA(TestIssuer.claims { $0["exp"] = .null })
        await #expect(throws: TokenRejection.missingExpiry) { try await verify(null) }
        let now = TestIssuer.now.timeIntervalSince1970
        let fractional = try await issuer.signRSA(TestIssuer.claims {
            $0["exp"] = .double(now + 300.5)
            $0["nbf"] = .double(now - 0.5)
            $0["iat"] = .double(now - 0.5)
        })
        _ = try await verify(fractional)
    }

    @Test("introspection answers: nbf and iat must be numbers too; null counts as absent there")
    func introspectionTimeClaims() throws {
        let base: [String: JSONValue] = ["active": .bool(true), "aud": .string(TestIssuer.audience), "exp": .int(Int64(TestIssuer.now.timeIntervalSince1970) + 60)]
        #expect(throws: TokenRejection.notANumber("nbf")) { try verifier.verify(introspection: base.merging(["nbf": .string("0")]) { $1 }, now: TestIssuer.now) }
        #expect(throws: TokenRejection.notANumber("iat")) { try verifier.verify(introspection: base.merging(["iat": .bool(true)]) { $1 }, now: TestIssuer.now) }
        #expect(throws: TokenRejection.notANumber("exp")) { try verifier.verify(introspection: base.merging(["exp": .string("1")]) { $1 }, now: TestIssuer.now) }
        _ = try verifier.verify(introspection: base.merging(["nbf": .null, "iat": .null]) { $1 }, now: TestIssuer.now)
        _ = try verifier.verify(introspection: base.merging(["exp": .null]) { $1 }, now: TestIssuer.now)
    }

    /// Another spelling of a base64url segment whose length is 2 or 3 modulo 4: the same
    /// bytes to a lenient decoder, but non-zero unused trailing bits.
    static func withTrailingBits(_ segment: Substring) -> String? {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        guard let last = segment.last, let value = alphabet.firstIndex(of: last), [2, 3].contains(segment.count % 4) else { return nil }
        return segment.dropLast() + String(alphabet[value | 1])
    }

    /// A valid token whose three segments all have lengths of 2 or 3 modulo 4 (so each has
    /// unused trailing bits), padded with a header member and a claim of the right lengths.
    func tokenWithTrailingBits() async throws -> String {
        for headerPad in 0..<4 {
            for claimPad in 0..<4 {
                let token = try await issuer.signRSA(TestIssuer.claims { $0["pad"] = .string(String(repeating: "p", count: claimPad)) },
                                                     header: ["pad": .string(String(repeating: "p", count: headerPad))])
                if token.split(separator: ".").allSatisfy({ [2, 3].contains($0.count % 4) }) { return token }
            }
        }
        throw TokenRejection.malformed
    }

    @Test("non-canonical base64url in any segment is refused: padding, foreign characters, trailing bits, a length of 1 mod 4")
    func nonCanonicalSegments() async throws {
        let token = try await tokenWithTrailingBits()
        _ = try await verify(token)
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        for index in 0..<3 {
            let segment = parts[index]
            let variants: [String] = [
                segment + String(repeating: "=", count: (4 - segment.count % 4) % 4), // padded
                segment + "==",
                Self.withTrailingBits(segment) ?? "",
                "+" + segment.dropFirst(), // base64, not base64url
                "/" + segment.dropFirst(),
                segment.dropLast(2) + " " + segment.suffix(2),
                segment + "\n",
                segment + String(repeating: "A", count: (5 - segment.count % 4) % 4), // a length of 1 modulo 4
            ]
            for variant in variants {
                var forged = parts.map(String.init)
                forged[index] = variant
                await #expect(throws: TokenRejection.malformed, "segment \(index): \(variant.suffix(6).debugDescription)") {
                    try await verify(forged.joined(separator: "."))
                }
            }
        }
    }

    @Test("canonical base64url", arguments: [
        ("", true), ("AA", true), ("AAA", true), ("AAAA", true), ("QQ", true), ("QUI", true), ("-_-_", true),
        ("A", false), ("AAAAA", false), ("QR", false), ("QUJ", false), ("QQ==", false), ("QUI=", false), ("QQ=", false),
        ("+/+/", false), ("AA AA", false), ("AA.A", false), ("ä", false),
    ])
    func canonical(_ text: String, canonical: Bool) {
        #expect(Base64URL.isCanonical(text.utf8) == canonical)
        #expect((Base64URL.decode(text.utf8) != nil) == canonical)
    }

    @Test("the key set keeps signature keys only, one by one")
    func keyFiltering() throws {
        let jwks = try issuer.jwks([
            try issuer.rsaJWK(kid: "good"),
            try issuer.rsaJWK(kid: "enc", extra: ["use": .string("enc")]),
            .object(["kty": .string("oct"), "kid": .string("sym"), "k": .string("c2VjcmV0")]),
            try issuer.rsaJWK(kid: "hmac-alg", alg: "HS256"),
            try issuer.rsaJWK(kid: "not-allowed", alg: "RS512"),
            .object(["kty": .string("RSA"), "n": .string("x"), "e": .string("AQAB")]),
            issuer.ecJWK(kid: "ec"),
        ])
        let keys = try VerificationKeys(jwks: jwks, allowed: [.rs256, .es256])
        #expect(keys.keyIDs == ["ec", "good"])
        #expect(keys.skipped.count == 5)
    }

    @Test("a JWKS that is not a key set is refused")
    func badJWKS() {
        #expect(throws: TokenRejection.malformed) { try VerificationKeys(jwks: Data("{}".utf8), allowed: [.rs256]) }
    }

    @Test("a key without alg is pinned per algorithm, so one token cannot fix another's")
    func keyWithoutAlg() async throws {
        let keys = try VerificationKeys(jwks: issuer.jwks([issuer.rsaJWK(kid: "rsa-1", alg: nil)]), allowed: [.rs256, .ps256])
        let wide = TokenVerifier(issuer: TestIssuer.issuer, audience: TestIssuer.audience, algorithms: [.rs256, .ps256], clockSkewSeconds: 60)
        let bogusPS = try TestIssuer.crafted(header: ["alg": .string("PS256"), "kid": .string("rsa-1")], claims: TestIssuer.claims()) { _ in Data(repeating: 7, count: 256) }
        await #expect(throws: TokenRejection.badSignature) { try await wide.verify(bogusPS, keys: keys, now: TestIssuer.now) }
        let good = try await issuer.signRSA(TestIssuer.claims())
        _ = try await wide.verify(good, keys: keys, now: TestIssuer.now)
    }

    @Test("a repeated token skips only the signature: expiry, audience, algorithm and typ are checked on every use")
    func rememberedToken() async throws {
        let keys = try issuer.keys()
        let token = try await issuer.signRSA(TestIssuer.claims())
        _ = try await verify(token, keys: keys)
        #expect(keys.rememberedCount == 1)
        _ = try await verify(token, keys: keys, now: TestIssuer.now.addingTimeInterval(300))
        await #expect(throws: TokenRejection.expired) { try await verify(token, keys: keys, now: TestIssuer.now.addingTimeInterval(361)) }
        let other = TokenVerifier(issuer: TestIssuer.issuer, audience: "https://mcp.example.com/team-b/mcp", algorithms: [.rs256], clockSkewSeconds: 60)
        await #expect(throws: TokenRejection.wrongAudience) { try await other.verify(token, keys: keys, now: TestIssuer.now) }
        let ecOnly = TokenVerifier(issuer: TestIssuer.issuer, audience: TestIssuer.audience, algorithms: [.es256], clockSkewSeconds: 60)
        await #expect(throws: TokenRejection.algorithmNotAllowed("RS256")) { try await ecOnly.verify(token, keys: keys, now: TestIssuer.now) }
        let strict = TokenVerifier(issuer: TestIssuer.issuer, audience: TestIssuer.audience, algorithms: [.rs256], clockSkewSeconds: 60, requireAccessTokenType: true)
        await #expect(throws: TokenRejection.wrongType) { try await strict.verify(token, keys: keys, now: TestIssuer.now) }
    }

    @Test("only tokens that pass are remembered, and only by the key set that verified them")
    func rememberedOnlyWhenValid() async throws {
        let keys = try issuer.keys()
        let expired = try await issuer.signRSA(TestIssuer.claims { $0["exp"] = .int(Int64(TestIssuer.now.timeIntervalSince1970) - 61) })
        await #expect(throws: TokenRejection.expired) { try await verify(expired, keys: keys) }
        let forged = try await issuer.signRSA(TestIssuer.claims(), kid: "rsa-1", key: issuer.otherRSA)
        await #expect(throws: TokenRejection.badSignature) { try await verify(forged, keys: keys) }
        #expect(keys.rememberedCount == 0)
        let token = try await issuer.signEC(TestIssuer.claims())
        _ = try await verify(token, keys: keys)
        #expect(keys.rememberedCount == 1)
        let rotated = try VerificationKeys(jwks: issuer.jwks([issuer.ecJWK(kid: "ec-2")]), allowed: [.es256])
        await #expect(throws: TokenRejection.unknownKey("ec-1")) { try await verify(token, keys: rotated) }
        let silent = try issuer.keys(remembering: 0)
        _ = try await verify(token, keys: silent)
        #expect(silent.rememberedCount == 0)
    }
}

@Suite struct StrictJWSTests {
    static func token(header: String, payload: String = #"{"sub":"alice","aud":"a"}"#) -> String {
        [Array(header.utf8), Array(payload.utf8), [1, 2, 3]].map { Base64URL.encode($0) }.joined(separator: ".")
    }

    @Test("a header or payload with a repeated member, a BOM or trailing data is malformed", arguments: [
        token(header: #"{"alg":"RS256","kid":"rsa-1","kid":"other"}"#),
        token(header: #"{"alg":"RS256","alg":"none","kid":"rsa-1"}"#),
        token(header: "\u{FEFF}" + #"{"alg":"RS256","kid":"rsa-1"}"#),
        token(header: #"{"alg":"RS256","kid":"rsa-1"} x"#),
        token(header: #"["RS256"]"#),
        token(header: #"{"alg":"RS256","kid":"rsa-1"}"#, payload: #"{"aud":"a","aud":"b"}"#),
        token(header: #"{"alg":"RS256","kid":"rsa-1"}"#, payload: #"{"sub":"alice","sub":"admin"}"#),
        token(header: #"{"alg":"RS256","kid":"rsa-1"}"#, payload: #"["not an object"]"#),
    ])
    func malformed(token: String) {
        #expect(throws: TokenRejection.malformed) { try TokenVerifier.header(of: token) }
    }

    @Test("a well-formed header reads its alg, kid and typ")
    func wellFormed() throws {
        let header = try TokenVerifier.header(of: Self.token(header: #"{"typ":"at+jwt","kid":"rsa-1","alg":"RS256","x5t":{"a":[1]}}"#))
        #expect(header.alg == "RS256" && header.kid == "rsa-1" && header.typ == "at+jwt" && !header.critical)
    }
}
