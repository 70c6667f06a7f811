import Foundation
import KubeClient
import KubeCore
import KubeRuntime
import MCPRuntimeRender

/// One kind of object the operator renders (Deployment, Service, …), type-erased so the
/// reconciler can apply any rendered object: its informer's store says what exists, and
/// create, patch and delete go through the typed client.
struct OwnedKind: Sendable {
    let kind: String
    /// Runs the informer; reports each change's server key.
    let watch: @Sendable (_ onServer: @escaping @Sendable (ObjectKey) async -> Void, _ onRestart: @escaping @Sendable (Restart) async -> Void) async -> Void
    let synced: @Sendable () async -> Bool
    /// The live object as JSON, from the store.
    let live: @Sendable (ObjectKey) async -> JSONValue?
    /// Names of the objects of this kind labelled as rendered for a server.
    let managed: @Sendable (ObjectKey) async -> [String]
    /// The object as the API has it now (nil when absent), for a create that met one.
    let fetch: @Sendable (_ namespace: String, _ name: String) async throws -> JSONValue?
    let create: @Sendable (JSONValue) async throws -> Void
    let patch: @Sendable (_ namespace: String, _ name: String, JSONValue) async throws -> Void
    let delete: @Sendable (_ namespace: String, _ name: String) async throws -> Void

    /// Informers keep only objects labelled as managed by mcp-runtime; the label selector
    /// narrows on the server, the filter again locally (emulators ignore selectors).
    static func make<K: KubeResource>(_ type: K.Type, client: KubeClient, namespace: String?) -> OwnedKind {
        var informer = Informer<K>(client: client, namespace: namespace)
        informer.labelSelector = "\(managedBy)=mcp-runtime"
        informer.filter = { serverKey($0.metadata) != nil }
        let store = informer.store
        let configured = informer
        return OwnedKind(
            kind: K.kind,
            watch: { onServer, onRestart in
                await configured.run(onChange: { change in
                    for key in Set(change.versions.compactMap({ serverKey($0.metadata) })) { await onServer(key) }
                }, onRestart: onRestart)
            },
            synced: { await store.synced },
            live: { key in await store.get(key).flatMap { try? KubeJSON.tree($0) } },
            managed: { server in
                await store.all().filter { serverKey($0.metadata) == server }.compactMap(\.metadata.name)
            },
            fetch: { namespace, name in
                do {
                    return try KubeJSON.tree(try await client.get(K.self, namespace: namespace, name: name))
                } catch KubeError.notFound {
                    return nil
                }
            },
            create: { tree in _ = try await client.create(try KubeJSON.decode(K.self, from: tree)) },
            patch: { namespace, name, body in _ = try await client.patch(K.self, namespace: namespace, name: name, .merge(body)) },
            delete: { namespace, name in try await client.delete(K.self, namespace: namespace, name: name) }
        )
    }

    static let managedBy = "app.kubernetes.io/managed-by"

    /// The server an object was rendered for, from its labels; nil for objects mcp-runtime
    /// does not manage.
    static func serverKey(_ metadata: ObjectMeta) -> ObjectKey? {
        guard metadata.labels?[managedBy] == "mcp-runtime", let server = metadata.labels?[Labels.serverKey] else { return nil }
        return ObjectKey(namespace: metadata.namespace ?? "", name: server)
    }

    /// Every kind a server renders, in the order objects are deleted last-first.
    static func all(client: KubeClient, namespace: String?) -> [OwnedKind] {
        [
            make(ConfigMap.self, client: client, namespace: namespace),
            make(ServiceAccount.self, client: client, namespace: namespace),
            make(Role.self, client: client, namespace: namespace),
            make(RoleBinding.self, client: client, namespace: namespace),
            make(Service.self, client: client, namespace: namespace),
            make(Deployment.self, client: client, namespace: namespace),
            make(NetworkPolicy.self, client: client, namespace: namespace),
            make(Ingress.self, client: client, namespace: namespace),
        ]
    }
}
