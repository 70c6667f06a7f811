import Foundation
import KubeCore
import MCPRuntimeAPI
import MCPRuntimeRender

/// What the operator saw while reconciling one `MCPServer`: its resolution, what was
/// rendered and whether applying it worked, and the live Deployments.
public struct ServerObservation: Sendable {
    public var generation: Int64?
    public var resolution: ServerResolution
    public var rendered: RenderedServer?
    /// The API's message when applying a rendered object failed.
    public var applyFailure: String?
    public var proxy: Deployment?
    public var workload: Deployment?

    public init(generation: Int64?, resolution: ServerResolution, rendered: RenderedServer? = nil, applyFailure: String? = nil, proxy: Deployment? = nil, workload: Deployment? = nil) {
        self.generation = generation
        self.resolution = resolution
        self.rendered = rendered
        self.applyFailure = applyFailure
        self.proxy = proxy
        self.workload = workload
    }
}

/// Turns an observation into `MCPServer` status: phase, url, observedGeneration,
/// configRevision, and the conditions Ready, ResourceURIResolved, ConfigRendered,
/// ProxyReady and ServerReady, with messages a user can act on, plus
/// HeaderSourcesRestricted, a warning that does not count for Ready. Pure.
public enum ServerStatusBuilder {
    public static let conditionTypes = ["Ready", "ResourceURIResolved", "ConfigRendered", "ProxyReady", "ServerReady", headerSources]
    /// False (reason `anyPodTrusted`) in header mode without `auth.trustedSources`.
    public static let headerSources = "HeaderSourcesRestricted"
    public static let anyPodTrusted = "AnyPodTrusted"

    public static func status(_ observation: ServerObservation, previous: MCPServerStatus?, now: Date) -> MCPServerStatus {
        let generation = observation.generation
        func condition(_ type: String, _ ok: Bool, _ reason: String, _ message: String) -> Condition {
            Condition(type: type, status: ok ? "True" : "False", observedGeneration: generation, reason: reason, message: message)
        }
        var status = MCPServerStatus()
        status.observedGeneration = generation

        guard let server = observation.resolution.server else {
            let message = "the spec is invalid: " + observation.resolution.errors.map(\.description).joined(separator: "; ")
            status.phase = "Error"
            status.message = message
            // What was applied before keeps running: nothing is changed for an invalid spec.
            status.url = previous?.url
            status.configRevision = previous?.configRevision
            status.conditions = Condition.merge(previous: previous?.conditions, next: [
                condition("Ready", false, "InvalidSpec", message),
                condition("ResourceURIResolved", false, "InvalidSpec", message),
                condition("ConfigRendered", false, "InvalidSpec", "nothing was rendered for this generation; the objects of the last valid spec are kept"),
            ] + carried(["ProxyReady", "ServerReady", headerSources], from: previous), now: timestamp(now))
            return status
        }

        status.url = server.resource?.description
        status.configRevision = observation.rendered?.proxyConfig.revision
        let uri: Condition = if let resource = server.resource {
            condition("ResourceURIResolved", true, "Resolved", "tokens must be issued for \(resource)")
        } else if server.auth.mode != .oauth {
            condition("ResourceURIResolved", true, "NotRequired", "auth mode \(server.auth.mode.rawValue) binds no tokens to a resource URI")
        } else {
            condition("ResourceURIResolved", false, "NoPublicURL", "no canonical resource URI: set spec.publicURL or spec.ingressHost")
        }
        let rendered: Condition = if let failure = observation.applyFailure {
            condition("ConfigRendered", false, "ApplyFailed", failure)
        } else if let reason = server.unusableReason {
            condition("ConfigRendered", false, "FailClosed", "the proxy refuses every request: \(reason)")
        } else {
            condition("ConfigRendered", true, "Applied", "proxy config \(status.configRevision ?? "") applied")
        }
        let proxy: Condition = server.gateway.enabled
            ? rollout(observation.proxy, wanted: server.replicas, type: "ProxyReady", generation: generation)
            : condition("ProxyReady", true, "NotRequired", "spec.gateway.enabled is false: clients reach the server directly")
        let workload = rollout(observation.workload, wanted: server.replicas, type: "ServerReady", generation: generation)
        let parts = [uri, rendered, proxy, workload]
        let failing = parts.first { $0.status != "True" }
        let ready = condition("Ready", failing == nil, failing?.reason ?? "Ready", failing.map { "\($0.type): \($0.message ?? "")" } ?? "serving at \(status.url ?? "the public Service")")
        let sources = headerSources(server, generation: generation)
        status.conditions = Condition.merge(previous: previous?.conditions, next: [ready] + parts + [sources], now: timestamp(now))

        if failing == nil {
            status.phase = "Ready"
        } else if uri.status != "True" || rendered.status != "True" {
            status.phase = "Error"
        } else {
            status.phase = proxy.status == "True" || workload.status == "True" ? "PartiallyReady" : "Pending"
        }
        status.message = ready.message
        return status
    }

    /// Who can hand the proxy identity headers: in header mode without trusted sources,
    /// every pod that reaches it.
    static func headerSources(_ server: ResolvedServer, generation: Int64?) -> Condition {
        func condition(_ ok: Bool, _ reason: String, _ message: String) -> Condition {
            Condition(type: headerSources, status: ok ? "True" : "False", observedGeneration: generation, reason: reason, message: message)
        }
        guard server.auth.mode == .header else {
            return condition(true, "NotRequired", "auth mode \(server.auth.mode.rawValue) takes no identity from headers")
        }
        guard !server.auth.trustedSources.isEmpty else {
            return condition(false, anyPodTrusted, "spec.auth.mode is header and spec.auth.trustedSources is empty: the proxy trusts identity headers from every pod that can reach it; name the pods that set them (an SSO gateway, an ingress controller) in spec.auth.trustedSources")
        }
        let names = ServerNames(server: server.name, namespace: server.namespace)
        return condition(true, "Restricted", "NetworkPolicy \(names.proxyNetworkPolicy) admits only spec.auth.trustedSources to the proxy's port \(server.gateway.port)")
    }

    /// A Deployment's rollout as a condition: every wanted replica updated and ready.
    static func rollout(_ deployment: Deployment?, wanted: Int, type: String, generation: Int64?) -> Condition {
        func condition(_ ok: Bool, _ reason: String, _ message: String) -> Condition {
            Condition(type: type, status: ok ? "True" : "False", observedGeneration: generation, reason: reason, message: message)
        }
        guard let deployment else { return condition(false, "NotCreated", "the Deployment does not exist yet") }
        let name = deployment.metadata.name ?? ""
        let status = deployment.status
        if let observed = status?.observedGeneration, let current = deployment.metadata.generation, observed < current {
            return condition(false, "Progressing", "Deployment \(name): the new spec is not rolled out yet")
        }
        let ready = status?.readyReplicas ?? 0
        let updated = status?.updatedReplicas ?? 0
        if ready >= wanted, updated >= wanted {
            return condition(true, "Available", "Deployment \(name): \(ready)/\(wanted) replicas ready")
        }
        return condition(false, "Progressing", "Deployment \(name): \(ready)/\(wanted) replicas ready, \(updated) updated; see kubectl describe deployment \(name)")
    }

    private static func carried(_ types: [String], from previous: MCPServerStatus?) -> [Condition] {
        types.compactMap { type in previous?.conditions?.first { $0.type == type } }
    }

    public static func timestamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(timeZone: .gmt))
    }
}
