import Foundation
import MCPPolicy
import MCPProxyConfig
import Testing

/// Agent sessions end when they should: revoked, at `expiresAt`, after the server's
/// `session.maxLifetimeSeconds` (86400 here) from their creation, and after
/// `session.idleTimeoutSeconds` (3600 here) without a use this replica saw.
@Suite struct SessionStandingTests {
    typealias P = PolicyFixture
    let caller = CallerIdentity(humanID: "alice", sessionID: "s1")

    func session(createdAt: String? = nil, revoked: Bool = false, expiresAt: String? = P.future) -> ProxyConfig.AgentSession {
        var session = P.session("s1", P.subject(human: "alice"), expiresAt: expiresAt, revoked: revoked)
        session.createdAt = createdAt
        return session
    }

    func reason(_ standing: SessionStanding) -> DecisionReason? {
        if case .refused(let reason) = standing { return reason }
        return nil
    }

    func isLive(_ standing: SessionStanding) -> Bool {
        if case .live = standing { return true }
        return false
    }

    @Test("revoked and expired sessions are refused before anything else")
    func revokedAndExpired() {
        let activity = SessionActivity()
        #expect(reason(P.policy(grants: [], sessions: [session(revoked: true)]).standing(of: caller, now: P.now, activity: activity)) == .sessionRevoked)
        #expect(reason(P.policy(grants: [], sessions: [session(expiresAt: P.past)]).standing(of: caller, now: P.now, activity: activity)) == .sessionExpired)
    }

    @Test("maxLifetime counts from the session's creation time")
    func lifetimeFromCreation() {
        let created = P.now.addingTimeInterval(-86400)
        let policy = P.policy(grants: [], sessions: [session(createdAt: ISO8601DateFormatter().string(from: created))])
        #expect(reason(policy.standing(of: caller, now: P.now, activity: SessionActivity())) == .sessionLifetimeExceeded)
        #expect(isLive(policy.standing(of: caller, now: P.now.addingTimeInterval(-1), activity: SessionActivity())))
        let unreadable = P.policy(grants: [], sessions: [session(createdAt: "yesterday")])
        #expect(reason(unreadable.standing(of: caller, now: P.now, activity: SessionActivity())) == .sessionLifetimeExceeded, "fail closed")
    }

    @Test("without a creation time, maxLifetime counts from the first use this replica saw")
    func lifetimeFromFirstUse() {
        let policy = P.policy(grants: [], sessions: [session()])
        let activity = SessionActivity()
        #expect(isLive(policy.standing(of: caller, now: P.now, activity: activity)))
        // Used every half hour: never idle, but a day after the first use it is over.
        var now = P.now
        while now < P.now.addingTimeInterval(86400 - 1800) {
            activity.used("team-a/s1", at: now)
            now = now.addingTimeInterval(1800)
            #expect(isLive(policy.standing(of: caller, now: now, activity: activity)), "\(now)")
        }
        activity.used("team-a/s1", at: now)
        #expect(reason(policy.standing(of: caller, now: P.now.addingTimeInterval(86400), activity: activity)) == .sessionLifetimeExceeded)
    }

    @Test("idleTimeout: refused once unused for that long; a use before then keeps it alive")
    func idle() {
        let policy = P.policy(grants: [], sessions: [session()])
        let activity = SessionActivity()
        activity.used("team-a/s1", at: P.now)
        #expect(isLive(policy.standing(of: caller, now: P.now.addingTimeInterval(3599), activity: activity)))
        activity.used("team-a/s1", at: P.now.addingTimeInterval(3599))
        #expect(isLive(policy.standing(of: caller, now: P.now.addingTimeInterval(7000), activity: activity)))
        #expect(reason(policy.standing(of: caller, now: P.now.addingTimeInterval(3599 + 3600), activity: activity)) == .sessionIdle)
    }

    @Test("a session named by someone else, or not in the config, is unknown; no name is unnamed")
    func unknown() {
        let policy = P.policy(grants: [], sessions: [session()])
        if case .unknown = policy.standing(of: CallerIdentity(humanID: "bob", sessionID: "s1"), now: P.now, activity: SessionActivity()) {} else { Issue.record("bob's") }
        if case .unknown = policy.standing(of: CallerIdentity(humanID: "alice", sessionID: "s2"), now: P.now, activity: SessionActivity()) {} else { Issue.record("s2") }
        if case .unnamed = policy.standing(of: CallerIdentity(humanID: "alice"), now: P.now, activity: SessionActivity()) {} else { Issue.record("none") }
    }

    @Test("tools/call governance refuses an idle session with its own reason")
    func governanceUsesTheStanding() {
        let policy = P.policy(grants: [P.grant("g", P.subject(human: "alice"))], sessions: [session()])
        let activity = SessionActivity()
        activity.used("team-a/s1", at: P.now)
        #expect(policy.evaluate(tool: "read_tool", caller: caller, now: P.now.addingTimeInterval(60), activity: activity).allowed)
        let idle = policy.evaluate(tool: "read_tool", caller: caller, now: P.now.addingTimeInterval(3600), activity: activity)
        #expect(!idle.allowed && idle.reason == .sessionIdle && idle.status == 401)
    }

    @Test("activity of sessions no longer in the config is forgotten")
    func retain() {
        let activity = SessionActivity()
        activity.used("team-a/s1", at: P.now)
        activity.used("team-a/gone", at: P.now)
        activity.retain(only: ["team-a/s1"])
        #expect(activity.seen("team-a/s1") != nil && activity.seen("team-a/gone") == nil)
    }
}
