import Foundation
import Hummingbird
import KubeClient
import KubeCore
import KubeRuntime
import NIOCore
import Synchronization
import TestServers
import Testing

@Suite struct ControllerTests {
    /// Serves a list of `items` for `path` and watches that stay open without events.
    static func routes(_ router: Router<BasicRequestContext>, _ path: RouterPath, list: String) {
        router.get(path) { request, _ in
            guard request.uri.queryParameters["watch"] == "true" else { return ReplayServer.json(list) }
            return Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody { writer in
                try await Task.sleep(for: .seconds(30))
                try await writer.finish(nil)
            })
        }
    }

    @Test("related objects map to their root; a failed reconcile is requeued with the attempt count; never two at once per key")
    func mapsRequeuesAndSerializes() async throws {
        let service = #"{"kind":"Service","apiVersion":"v1","metadata":{"name":"front","namespace":"team-a","resourceVersion":"5","labels":{"root":"a"}},"spec":{}}"#
        let server = try await ReplayServer { router, _ in
            Self.routes(router, "/api/v1/namespaces/team-a/configmaps", list: #"{"kind":"ConfigMapList","apiVersion":"v1","metadata":{"resourceVersion":"10"},"items":[\#(Recorded.configMap("a", rv: "10"))]}"#)
            Self.routes(router, "/api/v1/namespaces/team-a/services", list: #"{"kind":"ServiceList","apiVersion":"v1","metadata":{"resourceVersion":"10"},"items":[\#(service)]}"#)
        }
        defer { server.stop() }
        let client = KubeClient(ClientConfiguration(server: server.url, namespace: "team-a"))
        let controller = Controller(Informer<ConfigMap>(client: client, namespace: "team-a"))
            .watches(Informer<Service>(client: client, namespace: "team-a")) { service in
                service.metadata.labels?["root"].map { [ObjectKey(namespace: "team-a", name: $0)] } ?? []
            }

        struct Flaky: Error {}
        let calls = Mutex<[String]>([])
        let inFlight = Mutex(0)
        let overlapped = Mutex(false)
        let attempts = Mutex<[Int]>([])
        let run = Task {
            await controller.run(workers: 4, reconcile: { key, object in
                let now = inFlight.withLock { $0 += 1; return $0 }
                if now > 1 { overlapped.withLock { $0 = true } }
                defer { inFlight.withLock { $0 -= 1 } }
                try await Task.sleep(for: .milliseconds(20))
                let count = calls.withLock { $0.append("\(key) \(object?.data?["k"] ?? "nil")"); return $0.count }
                if count <= 2 { throw Flaky() }
                return .awaitChange
            }, errorPolicy: { _, error, attempt in
                #expect(error is Flaky)
                attempts.withLock { $0.append(attempt) }
                return .milliseconds(10)
            })
        }
        for _ in 0..<200 where calls.withLock({ $0.count }) < 3 {
            try await Task.sleep(for: .milliseconds(25))
        }
        #expect(await controller.synced())
        // Let anything that would wrongly follow a success show up.
        try await Task.sleep(for: .milliseconds(100))
        run.cancel()
        await run.value
        // Both informers name team-a/a before workers start: one reconcile, not two.
        #expect(calls.withLock { $0 } == ["team-a/a a", "team-a/a a", "team-a/a a"])
        #expect(attempts.withLock { $0 } == [1, 2])
        #expect(!overlapped.withLock { $0 })
    }

    @Test("requeue delays double per attempt up to the maximum")
    func backoff() {
        let backoff = RequeueBackoff(base: .milliseconds(500), maximum: .seconds(5))
        #expect((1...6).map { backoff.delay(attempt: $0) } == [.milliseconds(500), .seconds(1), .seconds(2), .seconds(4), .seconds(5), .seconds(5)])
    }

    @Test("owner references name the root when kind and apiVersion match")
    func owners() {
        var meta = ObjectMeta(name: "x-proxy", namespace: "team-a")
        meta.ownerReferences = [
            OwnerReference(apiVersion: "v1", kind: "ConfigMap", name: "x", uid: "1"),
            OwnerReference(apiVersion: "apps/v1", kind: "ConfigMap", name: "y", uid: "2"),
        ]
        #expect(Controller<ConfigMap>.owners(of: meta) == [ObjectKey(namespace: "team-a", name: "x")])
    }
}
