import Foundation
import Hummingbird
import KubeClient
import KubeCore
import Logging
@testable import MCPOperator
import Synchronization
import TestServers
import Testing

@Suite struct LeaderElectorTests {
    static func lease(holder: String, renew: String, version: String) -> String {
        #"{"kind":"Lease","apiVersion":"coordination.k8s.io/v1","metadata":{"name":"mcp-runtime-operator","namespace":"mcp-runtime-system","uid":"1","resourceVersion":"\#(version)"},"spec":{"holderIdentity":"\#(holder)","leaseDurationSeconds":15,"acquireTime":"2026-12-01T10:00:00.000000Z","renewTime":"\#(renew)","leaseTransitions":3}}"#
    }

    static let path = "/apis/coordination.k8s.io/v1/namespaces/mcp-runtime-system/leases/mcp-runtime-operator"

    func elector(_ server: ReplayServer, leaseDuration: Duration = .seconds(15)) -> LeaderElector {
        var elector = LeaderElector(
            client: KubeClient(ClientConfiguration(server: server.url), retry: RetryPolicy(attempts: 1)),
            namespace: "mcp-runtime-system", name: "mcp-runtime-operator", identity: "me", logger: Logger(label: "test")
        )
        elector.leaseDuration = leaseDuration
        return elector
    }

    @Test("a Lease another instance keeps renewing is not taken; no write is tried")
    func heldByOther() async throws {
        let renewals = Mutex(0)
        let server = try await ReplayServer { router, log in
            router.get(RouterPath(stringLiteral: Self.path)) { request, _ in
                log.append(request, body: "")
                // The holder renews between our looks: the record changes every time.
                let count = renewals.withLock { $0 += 1; return $0 }
                return ReplayServer.json(Self.lease(holder: "other", renew: "2026-12-01T10:00:0\(count).000000Z", version: "\(count)"))
            }
        }
        defer { server.stop() }
        let elector = elector(server, leaseDuration: .milliseconds(50))
        var observed = LeaderElector.Observation()
        #expect(await elector.tryAcquireOrRenew(&observed) == false)
        try await Task.sleep(for: .milliseconds(100))
        #expect(await elector.tryAcquireOrRenew(&observed) == false, "renewed meanwhile: still held")
        #expect(server.received.allSatisfy { $0.method == "GET" })
    }

    @Test("a Lease whose holder stopped renewing is taken with a write naming its resourceVersion; a 409 leaves us a follower")
    func expiredAndRaced() async throws {
        let server = try await ReplayServer { router, log in
            router.get(RouterPath(stringLiteral: Self.path)) { request, _ in
                log.append(request, body: "")
                return ReplayServer.json(Self.lease(holder: "other", renew: "2026-12-01T10:00:00.000000Z", version: "42"))
            }
            router.patch(RouterPath(stringLiteral: Self.path)) { request, _ in
                let body = try await request.body.collect(upTo: 1 << 16)
                log.append(request, body: String(buffer: body))
                return ReplayServer.json(Recorded.status(409, reason: "Conflict", message: "the object has been modified"), status: .conflict)
            }
        }
        defer { server.stop() }
        let elector = elector(server, leaseDuration: .milliseconds(50))
        var observed = LeaderElector.Observation()
        #expect(await elector.tryAcquireOrRenew(&observed) == false, "first look: the record is new to us")
        try await Task.sleep(for: .milliseconds(100))
        #expect(await elector.tryAcquireOrRenew(&observed) == false, "the race was lost: 409")
        let patch = try #require(server.received.first { $0.method == "PATCH" })
        #expect(patch.headers["content-type"] == "application/merge-patch+json")
        let body = try JSONDecoder().decode(JSONValue.self, from: Data(patch.body.utf8))
        #expect(body["metadata"]?["resourceVersion"] == .string("42"))
        #expect(body["spec"]?["holderIdentity"] == .string("me"))
        #expect(body["spec"]?["leaseTransitions"] == .int(4))
        #expect(body["spec"]?["acquireTime"] == body["spec"]?["renewTime"])
    }

    @Test("a missing Lease is created with this instance as holder")
    func creates() async throws {
        let server = try await ReplayServer { router, log in
            router.get(RouterPath(stringLiteral: Self.path)) { request, _ in
                log.append(request, body: "")
                return ReplayServer.json(Recorded.status(404, reason: "NotFound", message: "leases \"mcp-runtime-operator\" not found"), status: .notFound)
            }
            router.post("/apis/coordination.k8s.io/v1/namespaces/mcp-runtime-system/leases") { request, _ in
                let body = try await request.body.collect(upTo: 1 << 16)
                log.append(request, body: String(buffer: body))
                return ReplayServer.json(String(buffer: body), status: .created)
            }
        }
        defer { server.stop() }
        var observed = LeaderElector.Observation()
        #expect(await elector(server).tryAcquireOrRenew(&observed))
        let created = try #require(server.received.first { $0.method == "POST" })
        let lease = try JSONDecoder().decode(Lease.self, from: Data(created.body.utf8))
        #expect(lease.spec?.holderIdentity == "me")
        #expect(lease.spec?.leaseDurationSeconds == 15)
    }

    @Test("MicroTime has exactly six fractional digits, UTC")
    func microTime() {
        #expect(LeaderElector.microTime(Date(timeIntervalSince1970: 1_764_583_203.25)) == "2025-12-01T10:00:03.250000Z")
    }
}
