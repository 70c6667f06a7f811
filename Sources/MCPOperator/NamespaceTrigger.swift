import KubeCore
import KubeRuntime
import MCPRuntimeAPI

/// A Namespace's labels decide whether `spec.bindings.namespaceSelector` admits the grants
/// and sessions in it: when they change, the servers those bindings name in other
/// namespaces are reconciled again, so that a consent given or withdrawn by labelling
/// reaches the proxies at once. Pure.
enum NamespaceTrigger {
    /// True when a change can change a selector's answer: the labels changed, or the
    /// namespace appeared or went away.
    static func labelsChanged(_ change: ObjectChange<Namespace>) -> Bool {
        guard case .applied(_, let now, let previous?) = change else { return true }
        return now.metadata.labels != previous.metadata.labels
    }

    /// The servers outside `namespace` that grants and sessions in `namespace` name.
    static func servers(boundFrom namespace: String, grants: [MCPAccessGrant], sessions: [MCPAgentSession]) -> Set<ObjectKey> {
        let references = grants.map { ($0.metadata, $0.spec.serverRef) } + sessions.map { ($0.metadata, $0.spec.serverRef) }
        var servers: Set<ObjectKey> = []
        for (metadata, reference) in references where (metadata.namespace ?? "default") == namespace {
            let server = ServerReconciler.serverKey(reference, metadata)
            if server.namespace != namespace { servers.insert(server) }
        }
        return servers
    }
}
