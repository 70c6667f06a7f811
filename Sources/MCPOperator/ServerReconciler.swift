import Foundation
import KubeClient
import KubeCore
import KubeRuntime
import MCPReconcile
import MCPRuntimeAPI
import MCPRuntimeRender

/// Why a reconcile failed; the controller requeues it with backoff.
struct ReconcileError: Error, CustomStringConvertible {
    var description: String
}

/// Makes the cluster match one `MCPServer`: renders it with the grants and sessions bound
/// to it, creates what is missing, patches what drifted (client-side apply), writes
/// nothing when nothing changed, deletes rendered objects no longer wanted, and writes
/// the status of the server and of its grants and sessions. An invalid spec changes no
/// object: what the last valid spec rendered keeps running, and the status says why.
struct ServerReconciler: Sendable {
    let client: KubeClient
    let grants: ObjectStore<MCPAccessGrant>
    let sessions: ObjectStore<MCPAgentSession>
    /// Namespace labels, for `spec.bindings.namespaceSelector`; nil when not watched.
    let namespaces: ObjectStore<Namespace>?
    let owned: [OwnedKind]
    let options: RenderOptions
    let events: EventRecorder
    /// Reconcile at least this often, even when nothing is seen to change.
    var resync: Duration = .seconds(600)

    /// The server a grant or session names (unresolvable references map to an empty name,
    /// whose reconcile still writes their status).
    static func serverKey(_ ref: ServerReference?, _ metadata: ObjectMeta) -> ObjectKey {
        let namespace = ref?.namespace.flatMap { $0.isEmpty ? nil : $0 } ?? metadata.namespace ?? "default"
        return ObjectKey(namespace: namespace, name: ref?.name ?? "")
    }

    func reconcile(_ key: ObjectKey, _ found: MCPServer?) async throws -> Action {
        let now = Date()
        let grants = await grants.all().filter { Self.serverKey($0.spec.serverRef, $0.metadata) == key }
        let sessions = await sessions.all().filter { Self.serverKey($0.spec.serverRef, $0.metadata) == key }
        let server = found.flatMap { $0.metadata.deletionTimestamp == nil ? $0 : nil }

        guard let server else {
            // Gone: its rendered objects go too (owner references do this on a real
            // cluster; doing it here also covers objects that lost theirs).
            try await prune(key, keeping: [])
            try await writeBindingStatus(grants: grants, sessions: sessions, server: key, state: .missing, now: now)
            return .awaitChange
        }

        // The config first: a revocation must not wait for any status write.
        let labels = await namespaceLabels(grants.compactMap(\.metadata.namespace) + sessions.compactMap(\.metadata.namespace))
        let plan = RenderPlan.make(servers: [server], grants: grants, sessions: sessions, namespaces: labels, options: options)
        let resolution = server.resolve()
        let consent = server.bindingConsent(namespaces: labels)
        var failure: String?
        if let rendered = plan.rendered.first {
            do {
                try await apply(rendered.objects, for: key)
                try await prune(key, keeping: rendered.objects)
                await events.clear(server, reason: "ApplyFailed")
            } catch {
                failure = "\(error)"
                await events.record(server, reason: "ApplyFailed", message: "\(error)")
            }
        }
        if resolution.server == nil {
            await events.record(server, reason: "InvalidSpec", message: resolution.errors.map(\.description).joined(separator: "; "))
            do {
                try await narrowLastConfig(key, grants: grants, sessions: sessions, consent: consent)
            } catch {
                failure = "\(error)"
            }
        } else {
            await events.clear(server, reason: "InvalidSpec")
        }

        let names = ServerNames(server: key.name, namespace: key.namespace)
        let observation = ServerObservation(
            generation: server.metadata.generation, resolution: resolution, rendered: plan.rendered.first, applyFailure: failure,
            proxy: await deployment(names.proxyWorkload, key.namespace), workload: await deployment(names.serverWorkload, key.namespace)
        )
        let status = ServerStatusBuilder.status(observation, previous: server.status, now: now)
        if let sources = status.conditions?.first(where: { $0.type == ServerStatusBuilder.headerSources }), sources.status == "False" {
            await events.record(server, reason: ServerStatusBuilder.anyPodTrusted, message: sources.message ?? "")
        } else {
            await events.clear(server, reason: ServerStatusBuilder.anyPodTrusted)
        }
        try await writeStatus(MCPServer.self, key, old: server.status, new: status)
        try await writeBindingStatus(grants: grants, sessions: sessions, server: key, state: resolution.server == nil ? .invalid(consent) : .valid(consent), now: now)
        if let failure { throw ReconcileError(description: failure) }
        return .requeue(after: nextExpiry(grants: grants, sessions: sessions, after: now).map { min(resync, $0) } ?? resync)
    }

    /// The labels of the namespaces bindings come from, as the Namespace informer has them.
    private func namespaceLabels(_ names: [String]) async -> NamespaceLabels {
        guard let namespaces else { return NamespaceLabels() }
        var labels: [String: [String: String]] = [:]
        for name in Set(names) {
            if let namespace = await namespaces.get(ObjectKey(namespace: "", name: name)) { labels[name] = namespace.metadata.labels ?? [:] }
        }
        return NamespaceLabels(labels)
    }

    // MARK: - Objects

    private func kind(_ name: String) throws -> OwnedKind {
        guard let kind = owned.first(where: { $0.kind == name }) else { throw ReconcileError(description: "no informer for \(name)") }
        return kind
    }

    private func apply(_ objects: [RenderedObject], for server: ObjectKey) async throws {
        for object in objects {
            let kind = try kind(object.kind)
            let namespace = object.metadata.namespace ?? "default"
            let name = object.metadata.name ?? ""
            let desired = ThreeWayMerge.annotated(try KubeJSON.tree(object))
            do {
                if let live = await kind.live(ObjectKey(namespace: namespace, name: name)) {
                    try await update(kind, namespace, name, desired: desired, live: live)
                    continue
                }
                do {
                    try await kind.create(desired)
                } catch KubeError.conflict {
                    // It exists and the store has not seen it: ours (the store lags), or not ours.
                    guard let live = try await kind.fetch(namespace, name) else { throw ReconcileError(description: "created and deleted meanwhile; retrying") }
                    guard OwnedKind.serverKey(live["metadata"].flatMap { try? KubeJSON.decode(ObjectMeta.self, from: $0) } ?? ObjectMeta()) == server else {
                        throw ReconcileError(description: "exists and is not managed by mcp-runtime for this MCPServer: delete or rename it")
                    }
                    try await update(kind, namespace, name, desired: desired, live: live)
                }
            } catch {
                throw ReconcileError(description: "\(object.reference): \(error)")
            }
        }
    }

    /// Patches `live` towards `desired`; writes nothing when it already matches.
    private func update(_ kind: OwnedKind, _ namespace: String, _ name: String, desired: JSONValue, live: JSONValue) async throws {
        guard let patch = ThreeWayMerge.patch(lastApplied: ThreeWayMerge.lastApplied(of: live), desired: desired, live: live) else { return }
        try await kind.patch(namespace, name, patch)
    }

    /// The spec is invalid, so the last valid config keeps serving: still apply what the
    /// grants and sessions now take away (revocations, disables, deletions, earlier expiry).
    private func narrowLastConfig(_ server: ObjectKey, grants: [MCPAccessGrant], sessions: [MCPAgentSession], consent: BindingConsent) async throws {
        let name = ServerNames(server: server.name, namespace: server.namespace).proxyConfigMap
        let kind = try kind(ConfigMap.kind)
        guard let live = await kind.live(ObjectKey(namespace: server.namespace, name: name)),
              let configMap = try? KubeJSON.decode(ConfigMap.self, from: live),
              let config = GovernanceNarrowing.config(in: configMap) else { return }
        let narrowed = GovernanceNarrowing.narrow(config, grants: grants.compactMap { $0.resolve().value }, sessions: sessions.compactMap { $0.resolve().value }, consent: consent)
        guard narrowed != config else { return }
        do {
            try await kind.patch(server.namespace, name, GovernanceNarrowing.configMapPatch(narrowed))
        } catch {
            throw ReconcileError(description: "ConfigMap/\(name): cannot narrow the last valid config: \(error)")
        }
    }

    /// Deletes what was rendered for `server` and is not among `keeping`.
    private func prune(_ server: ObjectKey, keeping: [RenderedObject]) async throws {
        let wanted = Set(keeping.map(\.reference))
        for kind in owned.reversed() {
            for name in await kind.managed(server) where !wanted.contains("\(kind.kind)/\(name)") {
                do {
                    try await kind.delete(server.namespace, name)
                } catch KubeError.notFound {
                    continue
                } catch {
                    throw ReconcileError(description: "\(kind.kind)/\(name): cannot delete: \(error)")
                }
            }
        }
    }

    private func deployment(_ name: String, _ namespace: String) async -> Deployment? {
        guard let live = await (try? kind(Deployment.kind))?.live(ObjectKey(namespace: namespace, name: name)) else { return nil }
        return try? KubeJSON.decode(Deployment.self, from: live)
    }

    // MARK: - Status

    private func writeBindingStatus(grants: [MCPAccessGrant], sessions: [MCPAgentSession], server: ObjectKey, state serverState: BindingStatusBuilder.Server, now: Date) async throws {
        let target = ServerKey(namespace: server.namespace, name: server.name)
        for grant in grants {
            let state = BindingStatusBuilder.grant(grant, server: serverState, now: now)
            let status = BindingStatusBuilder.status(state, server: target, generation: grant.metadata.generation, previous: grant.status, now: now)
            await recordRefusal(grant, state, status)
            if let key = ObjectKey(grant.metadata) { try await writeStatus(MCPAccessGrant.self, key, old: grant.status, new: status) }
        }
        for session in sessions {
            let state = BindingStatusBuilder.session(session, server: serverState, now: now)
            let status = BindingStatusBuilder.status(state, server: target, generation: session.metadata.generation, previous: session.status, now: now)
            await recordRefusal(session, state, status)
            if let key = ObjectKey(session.metadata) { try await writeStatus(MCPAgentSession.self, key, old: session.status, new: status) }
        }
    }

    /// A Warning Event on a grant or session its server does not accept, once per message.
    private func recordRefusal<R: KubeResource>(_ binding: R, _ state: BindingStatusBuilder.State, _ status: BindingStatus) async {
        let reason = "NamespaceNotAllowed"
        if case .namespaceNotAllowed = state {
            await events.record(binding, reason: reason, message: status.message ?? reason)
        } else {
            await events.clear(binding, reason: reason)
        }
    }

    /// Patches the status subresource with what changed (fields gone are nulled); nothing
    /// when nothing changed.
    private func writeStatus<R: KubeResource, S: Encodable & Equatable>(_ type: R.Type, _ key: ObjectKey, old: S?, new: S) async throws {
        guard old != new else { return }
        let previous = try old.map { try KubeJSON.tree($0) } ?? .object([:])
        guard let patch = ThreeWayMerge.patch(lastApplied: previous, desired: try KubeJSON.tree(new), live: previous) else { return }
        do {
            _ = try await client.patch(type, namespace: key.namespace, name: key.name, .merge(.object(["status": patch])), subresource: "status")
        } catch KubeError.notFound {
            return
        } catch {
            throw ReconcileError(description: "\(R.kind) \(key): cannot write status: \(error)")
        }
    }

    /// How long until the next grant or session expires, to flip its status then.
    private func nextExpiry(grants: [MCPAccessGrant], sessions: [MCPAgentSession], after now: Date) -> Duration? {
        let dates = grants.compactMap { $0.resolve().value?.expiresAt } + sessions.compactMap { $0.resolve().value?.expiresAt }
        guard let next = dates.filter({ $0 > now }).min() else { return nil }
        return .milliseconds(Int64(next.timeIntervalSince(now) * 1000) + 500)
    }
}
