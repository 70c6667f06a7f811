import Foundation
import KubeCore
import MCPRuntimeAPI

/// Status of an `MCPAccessGrant` or `MCPAgentSession`: whether the proxy of its server
/// enforces it now. Phase and the `Ready` condition's reason agree: `Bound`,
/// `ServerNotFound`, `NamespaceNotAllowed`, `ServerInvalid`, `Expired`, `Disabled`
/// (grant), `Revoked` (session) or `Invalid`. Pure.
public enum BindingStatusBuilder {
    /// What the operator knows of the server a binding names, with the server's consent
    /// to bindings from other namespaces (`spec.bindings`).
    public enum Server: Sendable {
        case missing
        /// Its spec is invalid: the proxy keeps the last valid config, narrowed only.
        case invalid(BindingConsent)
        case valid(BindingConsent)
    }

    public enum State: Sendable, Equatable {
        case bound
        case serverNotFound
        /// The server's `spec.bindings` does not accept the binding's namespace: why.
        case namespaceNotAllowed(namespace: String, why: String)
        case serverInvalid
        case expired(Date)
        case disabled
        case revoked
        case invalid(String)
    }

    public static func grant(_ grant: MCPAccessGrant, server: Server, now: Date) -> State {
        let resolution = grant.resolve()
        guard let value = resolution.value else { return .invalid(messages(resolution.issues)) }
        return state(server: server, namespace: value.namespace, expiresAt: value.expiresAt, off: value.disabled ? .disabled : nil, now: now)
    }

    public static func session(_ session: MCPAgentSession, server: Server, now: Date) -> State {
        let resolution = session.resolve()
        guard let value = resolution.value else { return .invalid(messages(resolution.issues)) }
        return state(server: server, namespace: value.namespace, expiresAt: value.expiresAt, off: value.revoked ? .revoked : nil, now: now)
    }

    public static func status(_ state: State, server: ServerKey, generation: Int64?, previous: BindingStatus?, now: Date) -> BindingStatus {
        let target = "MCPServer \(server)"
        let (phase, message): (String, String) = switch state {
        case .bound: ("Bound", "enforced by the proxy of \(target)")
        case .serverNotFound: ("ServerNotFound", "\(target) does not exist: check spec.serverRef.name and spec.serverRef.namespace")
        case .namespaceNotAllowed(let namespace, let why): ("NamespaceNotAllowed", "\(target) does not accept grants and sessions from namespace \(namespace): \(why); its proxy does not enforce this one. The server's owner can admit the namespace in the server's spec.bindings")
        case .serverInvalid: ("ServerInvalid", "\(target) has an invalid spec: its proxy keeps the last valid config, where revocations still apply but no change is added; fix the server (see its status)")
        case .expired(let date): ("Expired", "expired at \(ServerStatusBuilder.timestamp(date)); the proxy of \(target) refuses it")
        case .disabled: ("Disabled", "spec.disabled is true; the proxy of \(target) refuses it")
        case .revoked: ("Revoked", "spec.revoked is true; the proxy of \(target) refuses it")
        case .invalid(let why): ("Invalid", "the spec is invalid: \(why)")
        }
        let ready = Condition(type: "Ready", status: state == .bound ? "True" : "False", observedGeneration: generation, reason: phase, message: message)
        return BindingStatus(phase: phase, message: message, observedGeneration: generation, conditions: Condition.merge(previous: previous?.conditions, next: [ready], now: ServerStatusBuilder.timestamp(now)))
    }

    private static func state(server: Server, namespace: String, expiresAt: Date?, off: State?, now: Date) -> State {
        let consent: BindingConsent
        switch server {
        case .missing: return .serverNotFound
        case .invalid(let value), .valid(let value): consent = value
        }
        // Never in the config (rendered or narrowed) without the server's consent.
        if case .refused(let why) = consent.decide(namespace) { return .namespaceNotAllowed(namespace: namespace, why: why) }
        // What takes access away is enforced even for an invalid server (narrowing).
        if let off { return off }
        if let expiresAt, expiresAt <= now { return .expired(expiresAt) }
        if case .invalid = server { return .serverInvalid }
        return .bound
    }

    private static func messages(_ issues: [ValidationIssue]) -> String {
        issues.filter { $0.severity == .error }.map(\.description).joined(separator: "; ")
    }
}
