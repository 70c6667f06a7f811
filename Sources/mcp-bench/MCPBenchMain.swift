import Foundation
import MCPTestSupport
import MCPProxyCore
import MCPRuntimeAPI
import MCPTokenVerification

/// `mcp-bench verify RS256|ES256 [SECONDS]`: the proxy's JWT verification (the same
/// `TokenVerifier` and `VerificationKeys` mcp-proxy uses: header checks, key lookup,
/// signature, claims) in a loop on one core. Prints two rates per second: tokens the key
/// set has not seen (the signature is checked each time), then a repeated token
/// (remembered: every check but the signature). Used by hack/bench.sh next to `openssl speed`.
///
/// `mcp-bench filter FILE [COUNT]`: the proxy's list filter (`ListAnswerFilter`) on the
/// answer in FILE, COUNT times (1,000), keeping entries whose name starts with `get_`;
/// prints the answer's size and what was removed. For instruction counts under
/// `valgrind --tool=callgrind` (docs/performance.md).
@main
enum MCPBenchMain {
    static func main() async throws {
        let arguments = CommandLine.arguments.dropFirst()
        if arguments.first == "filter", let file = arguments.dropFirst().first, let body = FileManager.default.contents(atPath: file) {
            let count = arguments.dropFirst(2).first.flatMap(Int.init) ?? 1000
            let filter = ListAnswerFilter { $0.name.hasPrefix("get_") }
            let bytes = Array(body)
            var outcome = filter.filter(bytes)
            for _ in 1..<max(count, 1) { outcome = filter.filter(bytes) }
            guard case .rewritten(let output, let removed) = outcome else {
                print("\(bytes.count) bytes: \(outcome)")
                return
            }
            print("\(bytes.count) bytes -> \(output.count) bytes, \(removed.count) entries removed, \(count) times")
            return
        }
        guard arguments.first == "verify", let algorithm = arguments.dropFirst().first, ["RS256", "ES256"].contains(algorithm) else {
            FileHandle.standardError.write(Data("usage: mcp-bench verify RS256|ES256 [SECONDS]\n".utf8))
            exit(2)
        }
        let seconds = arguments.dropFirst(2).first.flatMap(Double.init) ?? 3
        let issuer = try TestIssuer()
        let token = algorithm == "RS256" ? try await issuer.signRSA(TestIssuer.claims()) : try await issuer.signEC(TestIssuer.claims())
        let verifier = TokenVerifier(issuer: TestIssuer.issuer, audience: TestIssuer.audience, algorithms: [.rs256, .es256], clockSkewSeconds: 30)
        let unseen = try await rate(seconds, token, verifier, keys: try issuer.keys(remembering: 0))
        let keys = try issuer.keys()
        let repeated = try await rate(seconds, token, verifier, keys: keys)
        guard keys.rememberedCount == 1 else {
            FileHandle.standardError.write(Data("mcp-bench: the repeated token was not remembered\n".utf8))
            exit(1)
        }
        print(String(format: "%.0f %.0f", unseen, repeated))
    }

    /// Verifications per second of `token` with `keys`, after one untimed verification
    /// that proves the token passes.
    static func rate(_ seconds: Double, _ token: String, _ verifier: TokenVerifier, keys: VerificationKeys) async throws -> Double {
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
        return Double(count) / (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }
}
