import Foundation
import MCPTestSupport
import MCPRuntimeAPI
import MCPTokenVerification

/// `mcp-bench verify RS256|ES256 [SECONDS]`: the proxy's JWT verification (the same
/// `TokenVerifier` and `VerificationKeys` mcp-proxy uses: header checks, key lookup,
/// signature, claims) in a loop on one core; prints verifications per second. Used by
/// hack/bench.sh next to `openssl speed` for the same algorithms.
@main
enum MCPBenchMain {
    static func main() async throws {
        let arguments = CommandLine.arguments.dropFirst()
        guard arguments.first == "verify", let algorithm = arguments.dropFirst().first, ["RS256", "ES256"].contains(algorithm) else {
            FileHandle.standardError.write(Data("usage: mcp-bench verify RS256|ES256 [SECONDS]\n".utf8))
            exit(2)
        }
        let seconds = arguments.dropFirst(2).first.flatMap(Double.init) ?? 3
        let issuer = try TestIssuer()
        let keys = try issuer.keys()
        let claims = TestIssuer.claims()
        let token = algorithm == "RS256" ? try await issuer.signRSA(claims) : try await issuer.signEC(claims)
        let verifier = TokenVerifier(issuer: TestIssuer.issuer, audience: TestIssuer.audience, algorithms: [.rs256, .es256], clockSkewSeconds: 30)
        // Warm up, and prove the token verifies before timing it.
        _ = try await verifier.verify(token, keys: keys, now: TestIssuer.now)
        var count = 0
        let clock = ContinuousClock()
        let start = clock.now
        let deadline = start + .milliseconds(Int64(seconds * 1000))
        while clock.now < deadline {
            for _ in 0..<64 { _ = try await verifier.verify(token, keys: keys, now: TestIssuer.now) }
            count += 64
        }
        let elapsed = clock.now - start
        let perSecond = Double(count) / (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        print(String(format: "%.0f", perSecond))
    }
}
