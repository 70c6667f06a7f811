import Foundation
import KubeClient
import KubeCore
import Logging

/// Leader election through a `coordination.k8s.io/v1` Lease, as client-go does it: take
/// the Lease when it is free or its holder stopped renewing for `leaseDuration` (measured
/// on this clock, from when this instance last saw the record change, so clock skew
/// between nodes does not matter); renew every `retryPeriod`; give up leadership when
/// renewing fails for `renewDeadline`. Writes carry the Lease's `resourceVersion`, so of
/// two candidates racing, one gets a 409 and stays a follower.
struct LeaderElector: Sendable {
    let client: KubeClient
    let namespace: String
    let name: String
    let identity: String
    let logger: Logger
    var leaseDuration: Duration = .seconds(15)
    var renewDeadline: Duration = .seconds(10)
    var retryPeriod: Duration = .seconds(2)

    struct LostLeadership: Error, CustomStringConvertible {
        var description: String
    }

    /// Waits to be leader, runs `lead` while leading, and throws `LostLeadership` when the
    /// Lease could not be renewed. On cancellation (shutdown) the Lease is released so
    /// that another instance takes over at once.
    func run(onLeading: @escaping @Sendable (Bool) -> Void = { _ in }, lead: @escaping @Sendable () async -> Void) async throws {
        var observed = Observation()
        while !(await tryAcquireOrRenew(&observed)) {
            do {
                try await Task.sleep(for: retryPeriod)
            } catch {
                return  // shut down while following
            }
        }
        logger.info("became leader", metadata: ["lease": "\(namespace)/\(name)", "identity": "\(identity)"])
        onLeading(true)
        defer { onLeading(false) }
        let leading = Task { await lead() }
        defer { leading.cancel() }
        var lastRenew = ContinuousClock.now
        do {
            while true {
                try await Task.sleep(for: retryPeriod)
                if await tryAcquireOrRenew(&observed) {
                    lastRenew = .now
                } else if ContinuousClock.now - lastRenew > renewDeadline {
                    throw LostLeadership(description: "could not renew Lease \(namespace)/\(name) for \(renewDeadline)")
                }
            }
        } catch is CancellationError {
            leading.cancel()
            await leading.value
            // Not cancelled itself: the release must reach the API during shutdown.
            await Task { await release() }.value
        }
    }

    /// What this instance last saw of the Lease, and when (on its own clock).
    struct Observation {
        var record: LeaseSpec?
        var at = ContinuousClock.now
    }

    func tryAcquireOrRenew(_ observed: inout Observation) async -> Bool {
        let now = Date()
        let stamp = Self.microTime(now)
        let seconds = Int(leaseDuration.components.seconds)
        do {
            guard let lease = try await existingLease() else {
                let spec = LeaseSpec(holderIdentity: identity, leaseDurationSeconds: seconds, acquireTime: stamp, renewTime: stamp, leaseTransitions: 0)
                _ = try await client.create(Lease(metadata: ObjectMeta(name: name, namespace: namespace), spec: spec))
                observed = Observation(record: spec)
                return true
            }
            let current = lease.spec ?? LeaseSpec()
            if current != observed.record { observed = Observation(record: current) }
            let holder = current.holderIdentity ?? ""
            let held = !holder.isEmpty && holder != identity
            if held && ContinuousClock.now - observed.at < leaseDuration { return false }

            var next = current
            next.holderIdentity = identity
            next.leaseDurationSeconds = seconds
            next.renewTime = stamp
            if holder != identity {
                next.acquireTime = stamp
                next.leaseTransitions = (current.leaseTransitions ?? 0) + 1
            }
            try await write(spec: try KubeJSON.tree(next), over: lease)
            observed = Observation(record: next)
            return true
        } catch {
            if case .conflict? = error as? KubeError {} else {
                logger.warning("cannot take or renew the Lease", metadata: ["lease": "\(namespace)/\(name)", "error": "\(error)"])
            }
            return false
        }
    }

    /// Merge-patches the Lease's spec, naming the `resourceVersion` read: a write over a
    /// Lease someone else changed meanwhile is a 409.
    private func write(spec: JSONValue, over lease: Lease) async throws(KubeError) {
        var metadata: [String: JSONValue] = [:]
        if let version = lease.metadata.resourceVersion { metadata["resourceVersion"] = .string(version) }
        _ = try await client.patch(Lease.self, namespace: namespace, name: name, .merge(.object(["metadata": .object(metadata), "spec": spec])))
    }

    private func existingLease() async throws(KubeError) -> Lease? {
        do {
            return try await client.get(Lease.self, namespace: namespace, name: name)
        } catch .notFound {
            return nil
        }
    }

    /// Hands the Lease back, if still held: empty holder, so a follower takes it on its next try.
    func release() async {
        do {
            guard let lease = try await existingLease(), lease.spec?.holderIdentity == identity else { return }
            try await write(spec: .object(["holderIdentity": .string(""), "leaseDurationSeconds": .int(1)]), over: lease)
            logger.info("released the Lease", metadata: ["lease": "\(namespace)/\(name)"])
        } catch {
            logger.warning("cannot release the Lease", metadata: ["error": "\(error)"])
        }
    }

    /// `metav1.MicroTime`: RFC 3339 with exactly six fractional digits, UTC.
    static func microTime(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970.rounded(.down)
        let micros = Int((date.timeIntervalSince1970 - seconds) * 1_000_000)
        let whole = Date(timeIntervalSince1970: seconds).formatted(Date.ISO8601FormatStyle(timeZone: .gmt).year().month().day().dateTimeSeparator(.standard).time(includingFractionalSeconds: false))
        return whole + "." + String(format: "%06d", micros) + "Z"
    }
}
