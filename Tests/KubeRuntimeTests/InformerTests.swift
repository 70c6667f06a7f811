import Foundation
import Hummingbird
import KubeClient
import KubeCore
import KubeRuntime
import TestServers
import NIOCore
import Synchronization
import Testing

@Suite struct InformerTests {
    /// Collects what the informer reports.
    final class Changes: Sendable {
        let items = Mutex<[String]>([])
        func add(_ text: String) { items.withLock { $0.append(text) } }
        var all: [String] { items.withLock { $0 } }
    }

    @Test("list, watch from the list's version, resume from a BOOKMARK's version, relist on 410 and report what went away")
    func listWatchResumeRelist() async throws {
        let lists = Mutex(0)
        let watches = Mutex(0)
        let server = try await ReplayServer { router, log in
            router.get("/api/v1/namespaces/team-a/configmaps") { request, _ in
                log.append(request, body: "")
                guard request.uri.queryParameters["watch"] == "true" else {
                    let count = lists.withLock { $0 += 1; return $0 }
                    return count == 1
                        ? ReplayServer.json(#"{"kind":"ConfigMapList","apiVersion":"v1","metadata":{"resourceVersion":"10"},"items":[\#(Recorded.configMap("a", rv: "10"))]}"#)
                        : ReplayServer.json(#"{"kind":"ConfigMapList","apiVersion":"v1","metadata":{"resourceVersion":"30"},"items":[\#(Recorded.configMap("b", rv: "30"))]}"#)
                }
                let count = watches.withLock { $0 += 1; return $0 }
                return Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody { writer in
                    switch count {
                    case 1:
                        // A change, a bookmark, then the server ends the watch (its timeout).
                        try await writer.write(ByteBuffer(string: #"{"type":"MODIFIED","object":\#(Recorded.configMap("a", rv: "11", data: "b"))}"# + "\n"))
                        try await writer.write(ByteBuffer(string: #"{"type":"BOOKMARK","object":{"kind":"ConfigMap","apiVersion":"v1","metadata":{"resourceVersion":"20"}}}"# + "\n"))
                    case 2:
                        try await writer.write(ByteBuffer(string: Recorded.expired + "\n"))
                    default:
                        try await Task.sleep(for: .seconds(30))
                    }
                    try await writer.finish(nil)
                })
            }
        }
        defer { server.stop() }
        let informer = Informer<ConfigMap>(client: KubeClient(ClientConfiguration(server: server.url, namespace: "team-a")), namespace: "team-a")
        let changes = Changes()
        let task = Task {
            await informer.run(onChange: { change in
                switch change {
                case .applied(let key, let object, _): changes.add("\(key) \(object.metadata.resourceVersion ?? "")")
                case .deleted(let key, _): changes.add("\(key) gone")
                }
            }, onRestart: { restart in
                if case .relisted = restart { changes.add("relisted") }
            })
        }
        for _ in 0..<200 where watches.withLock({ $0 }) < 3 {
            try await Task.sleep(for: .milliseconds(25))
        }
        task.cancel()
        #expect(changes.all == ["team-a/a 10", "team-a/a 11", "relisted", "team-a/a gone", "team-a/b 30"])
        let watchQueries = server.received.filter { $0.query.contains("watch=true") }.map(\.query)
        #expect(watchQueries.count >= 3)
        #expect(watchQueries.first?.contains("resourceVersion=10") == true, "the first watch starts at the list's version")
        #expect(watchQueries.dropFirst().first?.contains("resourceVersion=20") == true, "resumed from the bookmark")
        #expect(watchQueries.dropFirst(2).first?.contains("resourceVersion=30") == true, "after 410, from the new list's version")
        #expect(await informer.store.all().map(\.metadata.name) == ["b"])
    }
}
