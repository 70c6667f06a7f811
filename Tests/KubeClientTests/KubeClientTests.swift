import Foundation
import Hummingbird
import KubeClient
import KubeCore
import NIOCore
import Synchronization
import TestServers
import Testing

@Suite(.serialized) struct KubeClientTests {
    func client(_ server: ReplayServer, credentials: ClientConfiguration.Credentials = .token("operator-token")) -> KubeClient {
        KubeClient(ClientConfiguration(server: server.url, namespace: "team-a", credentials: credentials), retry: RetryPolicy(attempts: 3, base: .milliseconds(10), maximum: .milliseconds(50)))
    }

    @Test("a list follows continue pages and keeps the collection's resourceVersion; the bearer token is sent")
    func list() async throws {
        let server = try await ReplayServer { router, log in
            router.get("/api/v1/namespaces/team-a/configmaps") { request, _ in
                log.append(request, body: "")
                if request.uri.queryParameters["continue"] == "page-2" {
                    return ReplayServer.json(#"{"kind":"ConfigMapList","apiVersion":"v1","metadata":{"resourceVersion":"2500"},"items":[\#(Recorded.configMap("b", rv: "2400"))]}"#)
                }
                return ReplayServer.json(#"{"kind":"ConfigMapList","apiVersion":"v1","metadata":{"resourceVersion":"2500","continue":"page-2"},"items":[\#(Recorded.configMap("a", rv: "2300"))]}"#)
            }
        }
        defer { server.stop() }
        let list = try await client(server).list(ConfigMap.self, namespace: "team-a")
        #expect(list.items.map(\.metadata.name) == ["a", "b"])
        #expect(list.metadata.resourceVersion == "2500")
        #expect(server.received.count == 2)
        #expect(server.received.allSatisfy { $0.headers["authorization"] == "Bearer operator-token" && $0.query.contains("limit=500") })
    }

    @Test("Status errors are typed: 404, 409, 422 with causes, 403")
    func statusErrors() async throws {
        let server = try await ReplayServer { router, _ in
            router.get("/api/v1/namespaces/team-a/configmaps/missing") { _, _ in ReplayServer.json(Recorded.notFound, status: .notFound) }
            router.put("/api/v1/namespaces/team-a/configmaps/weather") { _, _ in ReplayServer.json(Recorded.conflict, status: .conflict) }
            router.post("/api/v1/namespaces/team-a/configmaps") { _, _ in ReplayServer.json(Recorded.invalid, status: .unprocessableContent) }
            router.get("/api/v1/namespaces/kube-system/configmaps") { _, _ in ReplayServer.json(Recorded.forbidden, status: .forbidden) }
        }
        defer { server.stop() }
        let client = client(server)
        await #expect { try await client.get(ConfigMap.self, namespace: "team-a", name: "missing") } throws: { error in
            guard case KubeError.notFound(let status) = error else { return false }
            return status.reason == "NotFound" && status.details?.name == "missing"
        }
        var stale = ConfigMap(metadata: ObjectMeta(name: "weather", namespace: "team-a"), data: [:])
        stale.metadata.resourceVersion = "1"
        await #expect { try await client.replace(stale) } throws: { error in
            guard case KubeError.conflict(let status) = error else { return false }
            return status.message?.contains("has been modified") == true
        }
        await #expect { try await client.create(ConfigMap(metadata: ObjectMeta(name: "Bad_Name", namespace: "team-a"), data: [:])) } throws: { error in
            guard case KubeError.invalid(let status) = error else { return false }
            return status.details?.causes?.first?.field == "metadata.name" && "\(error)".contains("metadata.name: Invalid value")
        }
        await #expect { try await client.list(ConfigMap.self, namespace: "kube-system") } throws: { error in
            guard case KubeError.forbidden = error else { return false }
            return true
        }
    }

    @Test("5xx is retried with backoff until it succeeds; a 4xx is not retried")
    func retries() async throws {
        let calls = Mutex(0)
        let server = try await ReplayServer { router, _ in
            router.get("/api/v1/namespaces/team-a/configmaps/flaky") { _, _ in
                let count = calls.withLock { $0 += 1; return $0 }
                return count < 3 ? ReplayServer.json(Recorded.unavailable, status: .serviceUnavailable) : ReplayServer.json(Recorded.configMap("flaky", rv: "9"))
            }
            router.get("/api/v1/namespaces/team-a/configmaps/missing") { _, _ in
                calls.withLock { $0 += 100 }
                return ReplayServer.json(Recorded.notFound, status: .notFound)
            }
        }
        defer { server.stop() }
        let object = try await client(server).get(ConfigMap.self, namespace: "team-a", name: "flaky")
        #expect(object.metadata.resourceVersion == "9")
        #expect(calls.withLock { $0 } == 3)
        _ = try? await client(server).get(ConfigMap.self, namespace: "team-a", name: "missing")
        #expect(calls.withLock { $0 } == 103, "one call only")
    }

    @Test("an unreachable server is a transport error after the retries")
    func unreachable() async throws {
        let server = try await ReplayServer { _, _ in }
        let url = server.url
        server.stop()
        try await Task.sleep(for: .milliseconds(100))
        let client = KubeClient(ClientConfiguration(server: url), retry: RetryPolicy(attempts: 2, base: .milliseconds(10), maximum: .milliseconds(20)))
        await #expect { try await client.get(ConfigMap.self, namespace: "team-a", name: "x") } throws: { error in
            guard case KubeError.transport = error else { return false }
            return true
        }
    }

    @Test("patches carry their content type; server-side apply names the field manager; status is a subresource")
    func patches() async throws {
        let server = try await ReplayServer { router, log in
            router.patch("/api/v1/namespaces/team-a/configmaps/{name}") { request, _ in
                var request = request
                log.append(request, body: String(buffer: try await request.collectBody(upTo: 1 << 16)))
                return ReplayServer.json(Recorded.configMap("weather", rv: "11"))
            }
            router.patch("/api/v1/namespaces/team-a/configmaps/{name}/status") { request, _ in
                var request = request
                log.append(request, body: String(buffer: try await request.collectBody(upTo: 1 << 16)))
                return ReplayServer.json(Recorded.configMap("weather", rv: "12"))
            }
            router.delete("/api/v1/namespaces/team-a/configmaps/{name}") { request, _ in
                var request = request
                log.append(request, body: String(buffer: try await request.collectBody(upTo: 1 << 16)))
                return ReplayServer.json(Recorded.status(200, reason: "", message: ""))
            }
        }
        defer { server.stop() }
        let client = client(server)
        let patch: JSONValue = .object(["data": .object(["k": .string("b")])])
        _ = try await client.patch(ConfigMap.self, namespace: "team-a", name: "weather", .merge(patch))
        _ = try await client.patch(ConfigMap.self, namespace: "team-a", name: "weather", .json([.object(["op": .string("remove"), "path": .string("/data/k")])]))
        _ = try await client.patch(ConfigMap.self, namespace: "team-a", name: "weather", .apply(patch, fieldManager: "mcp-runtime", force: true))
        _ = try await client.patch(ConfigMap.self, namespace: "team-a", name: "weather", .merge(patch), subresource: "status")
        try await client.delete(ConfigMap.self, namespace: "team-a", name: "weather")
        let seen = server.received
        #expect(seen.map { $0.headers["content-type"] } == [
            "application/merge-patch+json", "application/json-patch+json", "application/apply-patch+yaml", "application/merge-patch+json", "application/json",
        ])
        #expect(seen[0].body == #"{"data":{"k":"b"}}"#)
        #expect(seen[2].query.contains("fieldManager=mcp-runtime") && seen[2].query.contains("force=true"))
        #expect(seen[3].path.hasSuffix("/weather/status"))
        #expect(seen[4].method == "DELETE" && seen[4].body.contains(#""propagationPolicy":"Background""#))
    }

    @Test("a token file is read again when it rotates")
    func rotatedToken() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("token-\(UUID().uuidString)")
        try "first\n".write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let server = try await ReplayServer { router, log in
            router.get("/api/v1/namespaces/team-a/configmaps/weather") { request, _ in
                log.append(request, body: "")
                return ReplayServer.json(Recorded.configMap("weather", rv: "1"))
            }
        }
        defer { server.stop() }
        let client = client(server, credentials: .tokenFile(file.path))
        _ = try await client.get(ConfigMap.self, namespace: "team-a", name: "weather")
        try "second\n".write(to: file, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(5)], ofItemAtPath: file.path)
        _ = try await client.get(ConfigMap.self, namespace: "team-a", name: "weather")
        #expect(server.received.map { $0.headers["authorization"] } == ["Bearer first", "Bearer second"])
    }
}

@Suite struct ObjectListDecodingTests {
    @Test("list items without apiVersion and kind (as a real API server sends them) decode as the list's kind")
    func itemsWithoutTypeMeta() throws {
        let body = #"{"apiVersion":"v1","kind":"ConfigMapList","metadata":{"resourceVersion":"7"},"items":[{"metadata":{"name":"a","namespace":"n"},"data":{"k":"v"}}]}"#
        let list = try JSONDecoder().decode(ObjectList<ConfigMap>.self, from: Data(body.utf8))
        #expect(list.items.map(\.metadata.name) == ["a"])
        #expect(list.items.first?.kind == "ConfigMap" && list.items.first?.apiVersion == "v1")
        #expect(list.metadata.resourceVersion == "7")
    }
}
