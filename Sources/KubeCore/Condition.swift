/// `metav1.Condition`: one observation in a resource's `status.conditions`.
public struct Condition: Codable, Sendable, Hashable {
    public var type: String
    /// "True", "False" or "Unknown".
    public var status: String
    public var observedGeneration: Int64?
    public var lastTransitionTime: String?
    public var reason: String?
    public var message: String?

    public init(type: String, status: String, observedGeneration: Int64? = nil, lastTransitionTime: String? = nil, reason: String? = nil, message: String? = nil) {
        self.type = type
        self.status = status
        self.observedGeneration = observedGeneration
        self.lastTransitionTime = lastTransitionTime
        self.reason = reason
        self.message = message
    }
}

extension Condition {
    /// `next`, each keeping the `lastTransitionTime` of its namesake in `previous` when
    /// its status did not flip; new or flipped conditions get `now` (RFC 3339).
    public static func merge(previous: [Condition]?, next: [Condition], now: String) -> [Condition] {
        next.map { condition in
            var condition = condition
            let old = previous?.first { $0.type == condition.type }
            condition.lastTransitionTime = old?.status == condition.status ? (old?.lastTransitionTime ?? now) : now
            return condition
        }
    }
}
