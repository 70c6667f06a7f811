import Foundation

/// A bounded map whose entries stop existing at their own deadline. Used for answers
/// that must never outlive the token they are about (verified JWTs, introspection,
/// exchanged tokens). When full, expired entries go first, then the entries closest to
/// expiry: an eighth of the capacity at once, so a full cache is not re-sorted per insert.
public struct ExpiringCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private var entries: [Key: (value: Value, until: Date)] = [:]
    public let capacity: Int

    public init(capacity: Int) {
        precondition(capacity > 0)
        self.capacity = capacity
    }

    public var count: Int { entries.count }

    /// The value, if it is still valid at `now`.
    public mutating func value(for key: Key, now: Date) -> Value? {
        guard let entry = entries[key] else { return nil }
        guard now < entry.until else {
            entries[key] = nil
            return nil
        }
        return entry.value
    }

    /// Stores `value` until `until`; a deadline not after `now` stores nothing.
    public mutating func insert(_ value: Value, for key: Key, until: Date, now: Date) {
        guard now < until else { return }
        if entries[key] == nil, entries.count >= capacity {
            entries = entries.filter { now < $0.value.until }
            if entries.count >= capacity {
                let excess = max(entries.count - capacity + 1, capacity / 8)
                for (key, _) in entries.sorted(by: { $0.value.until < $1.value.until }).prefix(excess) { entries[key] = nil }
            }
        }
        entries[key] = (value, until)
    }
}
