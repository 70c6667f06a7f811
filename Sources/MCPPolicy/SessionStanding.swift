import Foundation
import Synchronization

/// Where the agent session a caller names stands, for any request (not only a
/// `tools/call`): a session that is revoked, expired, past its lifetime or idle refuses
/// every request that names it.
public enum SessionStanding: Sendable {
    /// The caller names no session.
    case unnamed
    /// The caller names a session that is not theirs or not in the config.
    case unknown
    case live(CompiledPolicy.Session)
    case refused(DecisionReason)
}

/// When this replica saw each agent session used: the start of the idle timeout, and of
/// the lifetime of a session whose creation time the config does not carry. Kept across
/// config reloads; another replica, or this one after a restart, has seen nothing.
public final class SessionActivity: Sendable {
    public struct Seen: Sendable, Hashable {
        public var first: Date
        public var last: Date
    }

    private let seen = Mutex<[String: Seen]>([:])

    public init() {}

    /// What was seen of the session `key` (`namespace/name`).
    public func seen(_ key: String) -> Seen? {
        seen.withLock { $0[key] }
    }

    /// The session `key` was used at `now`.
    public func used(_ key: String, at now: Date) {
        seen.withLock { seen in
            let first = seen[key]?.first ?? now
            seen[key] = Seen(first: first, last: max(now, seen[key]?.last ?? now))
        }
    }

    /// Forgets the sessions no longer in the config.
    public func retain(only keys: Set<String>) {
        seen.withLock { seen in seen = seen.filter { keys.contains($0.key) } }
    }
}

extension CompiledPolicy {
    /// The standing of the session `caller` names, in the order: revoked, `expiresAt`,
    /// `session.maxLifetimeSeconds` from its creation (else from the first use seen here),
    /// `session.idleTimeoutSeconds` since the last use seen here.
    public func standing(of caller: CallerIdentity, now: Date, activity: SessionActivity) -> SessionStanding {
        guard let id = caller.sessionID else { return .unnamed }
        guard let session = sessions[id]?.first(where: { Self.same($0.config.name, id) && Self.matches($0.config.subject, caller) }) else { return .unknown }
        if session.config.revoked { return .refused(.sessionRevoked) }
        if let expiry = session.expiresAt, now >= expiry { return .refused(.sessionExpired) }
        let seen = activity.seen(session.key)
        if let start = session.createdAt ?? seen?.first, now.timeIntervalSince(start) >= maxLifetime { return .refused(.sessionLifetimeExceeded) }
        if let last = seen?.last, now.timeIntervalSince(last) >= idleTimeout { return .refused(.sessionIdle) }
        return .live(session)
    }

    /// The keys (`namespace/name`) of the config's sessions.
    public var sessionKeys: Set<String> {
        Set(sessions.values.flatMap { $0.map(\.key) })
    }
}
