/// `metav1.LabelSelector`: `matchLabels` and `matchExpressions`, all of which must hold.
/// An empty selector selects everything, as in Kubernetes.
public struct LabelSelector: Codable, Sendable, Hashable {
    public var matchLabels: [String: String]?
    public var matchExpressions: [LabelSelectorRequirement]?

    public init(matchLabels: [String: String]? = nil, matchExpressions: [LabelSelectorRequirement]? = nil) {
        self.matchLabels = matchLabels
        self.matchExpressions = matchExpressions
    }

    /// True when it has neither labels nor expressions: it selects everything.
    public var isEmpty: Bool {
        (matchLabels ?? [:]).isEmpty && (matchExpressions ?? []).isEmpty
    }

    /// Whether an object with `labels` is selected, by Kubernetes' rules. An expression
    /// with an unknown operator selects nothing (validation reports it). Pure.
    public func matches(_ labels: [String: String]) -> Bool {
        for (key, value) in matchLabels ?? [:] where labels[key] != value { return false }
        return (matchExpressions ?? []).allSatisfy { $0.matches(labels) }
    }
}

/// One `matchExpressions` item: `key`, `operator`, `values`.
public struct LabelSelectorRequirement: Codable, Sendable, Hashable {
    public var key: String
    /// `In`, `NotIn`, `Exists` or `DoesNotExist` (a string, so that any manifest decodes).
    public var `operator`: String
    public var values: [String]?

    public init(key: String, operator: String, values: [String]? = nil) {
        self.key = key
        self.operator = `operator`
        self.values = values
    }

    public func matches(_ labels: [String: String]) -> Bool {
        let value = labels[key]
        switch LabelSelectorOperator(rawValue: `operator`) {
        case .in: return value.map { (values ?? []).contains($0) } ?? false
        case .notIn: return value.map { !(values ?? []).contains($0) } ?? true
        case .exists: return value != nil
        case .doesNotExist: return value == nil
        case nil: return false
        }
    }
}

/// The operators of `matchExpressions`.
public enum LabelSelectorOperator: String, CaseIterable, Sendable {
    case `in` = "In"
    case notIn = "NotIn"
    case exists = "Exists"
    case doesNotExist = "DoesNotExist"

    /// `In` and `NotIn` need values; `Exists` and `DoesNotExist` take none.
    public var takesValues: Bool { self == .in || self == .notIn }
}
