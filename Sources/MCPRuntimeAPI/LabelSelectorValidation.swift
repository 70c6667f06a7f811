import KubeCore

extension IssueList {
    /// Checks a label selector as the API server does: label keys and values, known
    /// operators, values exactly where the operator takes them.
    public mutating func labelSelector(_ selector: LabelSelector, at path: FieldPath) {
        let labels = selector.matchLabels ?? [:]
        for key in labels.keys.sorted() {
            let item = path.child("matchLabels", key)
            if !Syntax.isLabelKey(key) {
                invalid(item, "\"\(key)\" is not a label key", hint: "an optional DNS prefix and '/', then up to 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit")
            }
            if let value = labels[key], !Syntax.isLabelValue(value) {
                invalid(item, "\"\(value)\" is not a label value", hint: "up to 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit")
            }
        }
        for (index, requirement) in (selector.matchExpressions ?? []).enumerated() {
            let item = path.child("matchExpressions").index(index)
            if !Syntax.isLabelKey(requirement.key) {
                invalid(item.child("key"), "\"\(requirement.key)\" is not a label key")
            }
            guard let op = LabelSelectorOperator(rawValue: requirement.operator) else {
                add(ValidationIssue(.error, .notSupported, item.child("operator"), "unsupported value \"\(requirement.operator)\"", hint: "use one of: \(LabelSelectorOperator.allCases.map(\.rawValue).joined(separator: ", "))"))
                continue
            }
            let values = requirement.values ?? []
            if op.takesValues && values.isEmpty {
                required(item.child("values"), "\(op.rawValue) needs at least one value")
            } else if !op.takesValues && !values.isEmpty {
                invalid(item.child("values"), "\(op.rawValue) takes no values", hint: "remove values, or use In or NotIn")
            }
            for (position, value) in values.enumerated() where !Syntax.isLabelValue(value) {
                invalid(item.child("values").index(position), "\"\(value)\" is not a label value")
            }
        }
    }
}
