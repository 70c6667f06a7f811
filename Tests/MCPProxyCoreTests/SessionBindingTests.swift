import Foundation
import MCPPolicy
import MCPProxyConfig
import MCPProxyCore
import MCPTestSupport
import Testing

/// `Mcp-Session-Id` is bound to the caller that created it: an id opens only for that
/// caller, under the key it was sealed with, and only as sealed.
@Suite struct SessionBindingTests {
    typealias F = PipelineFixture
    let binding = SessionBinding(key: Array(repeating: UInt8(7), count: 32))
    let alice = CallerIdentity(humanID: "alice", agentID: "planner")

    @Test("sealed for a caller, it opens for that caller only")
    func roundTrip() {
        let sealed = binding.seal("up-1", caller: alice, issuer: "https://issuer")
        #expect(sealed != "up-1" && !sealed.contains("up-1"))
        #expect(binding.open(sealed, caller: alice, issuer: "https://issuer") == "up-1")
        #expect(binding.open(sealed, caller: CallerIdentity(humanID: "bob", agentID: "planner"), issuer: "https://issuer") == nil)
        #expect(binding.open(sealed, caller: CallerIdentity(humanID: "alice"), issuer: "https://issuer") == nil)
        #expect(binding.open(sealed, caller: alice, issuer: "https://other") == nil)
        #expect(binding.open(sealed, caller: alice, issuer: nil) == nil)
        #expect(SessionBinding(key: Array(repeating: UInt8(8), count: 32)).open(sealed, caller: alice, issuer: "https://issuer") == nil, "another key")
    }

    @Test("fields cannot run together: human ab + agent c is not human a + agent bc")
    func boundaries() {
        let sealed = binding.seal("s", caller: CallerIdentity(humanID: "ab", agentID: "c"), issuer: nil)
        #expect(binding.open(sealed, caller: CallerIdentity(humanID: "a", agentID: "bc"), issuer: nil) == nil)
        #expect(binding.open(sealed, caller: CallerIdentity(humanID: "ab", teamID: "c"), issuer: nil) == nil)
    }

    @Test("anything but the exact sealed id opens to nothing", arguments: [
        "up-1", "", ".", "dXAtMQ", "dXAtMQ.", "dXAtMQ==.AAAA", "dXAtMQ.AAAA", "a.b.c",
    ])
    func forged(presented: String) {
        #expect(binding.open(presented, caller: alice, issuer: nil) == nil)
    }

    @Test("a flipped or padded MAC opens to nothing")
    func tampered() {
        let sealed = binding.seal("up-1", caller: alice, issuer: nil)
        var bytes = Array(sealed.utf8)
        bytes[bytes.count - 2] = bytes[bytes.count - 2] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        #expect(binding.open(String(decoding: bytes, as: UTF8.self), caller: alice, issuer: nil) == nil)
        #expect(binding.open(sealed + "=", caller: alice, issuer: nil) == nil)
    }

    static func config(keyFile: String? = nil) -> ProxyConfig {
        F.config(mode: .header) { $0.session.bindingKeyFile = keyFile }
    }

    static let keyFile = "/var/run/secrets/mcp-runtime/session-binding/key"
    static let key = String(repeating: "k", count: 44)

    func runtime(_ config: ProxyConfig) -> ProxyRuntime {
        ProxyRuntime(config: config, keySource: nil, secrets: FakeSecrets(files: [F.secretFile: "s3cret", Self.keyFile: Self.key + "\n"]))
    }

    func request(_ human: String, session: [String]) -> InboundRequest {
        InboundRequest(method: "GET", path: "/team-a/mcp", headers: [(name: "X-MCP-Human-ID", value: human)] + session.map { (name: "Mcp-Session-Id", value: $0) })
    }

    @Test("the pipeline forwards the upstream's id for the caller's own sealed id; anyone else's, or a raw one, is 404 and never forwarded")
    func pipeline() async throws {
        let runtime = runtime(Self.config(keyFile: Self.keyFile))
        let mounted = SessionBinding(key: Array(Self.key.utf8))
        let sealed = mounted.seal("up-1", caller: CallerIdentity(humanID: "alice"), issuer: nil)
        let plan = try #require(await runtime.handle(request("alice", session: [sealed]), now: TestIssuer.now).forward)
        #expect(plan.values("Mcp-Session-Id") == ["up-1"])
        #expect(plan.sessionSealer?.seal("up-2") == mounted.seal("up-2", caller: CallerIdentity(humanID: "alice"), issuer: nil))
        for (human, session) in [("bob", [sealed]), ("alice", ["up-1"]), ("alice", [sealed, sealed]), ("alice", [sealed + "x"])] {
            let result = await runtime.handle(request(human, session: session), now: TestIssuer.now)
            #expect(result.response?.status == 404, "\(human) \(session)")
            #expect(result.audit?.reason == "mcp_session_unknown")
        }
    }

    @Test("a configured key that cannot be read fails closed (503); without one, a key of this process is used")
    func keys() async throws {
        let unreadable = ProxyRuntime(config: Self.config(keyFile: "/nonexistent"), keySource: nil, secrets: FakeSecrets(files: [F.secretFile: "s3cret"]))
        #expect(await unreadable.handle(request("alice", session: []), now: TestIssuer.now).response?.status == 503)
        let ephemeral = try #require(await runtime(Self.config()).handle(request("alice", session: []), now: TestIssuer.now).forward?.sessionSealer)
        #expect(SessionBinding(key: Array(Self.key.utf8)).open(ephemeral.seal("up-1"), caller: CallerIdentity(humanID: "alice"), issuer: nil) == nil)
    }
}
