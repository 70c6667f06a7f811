import KubeCore

extension ServerResolver {
    /// Checks `spec.rateLimits`. A tool limit naming a tool that `spec.tools` does not list
    /// is a warning (such a call is mostly refused by governance, but not always: with
    /// `defaultDecision: allow` and no grant it goes through, so the limit still counts);
    /// limits with `auth.mode: none` are a warning too, since no caller is identified.
    mutating func resolveRateLimits(mode: AuthMode) -> ResolvedRateLimits? {
        let path = Self.spec.child("rateLimits")
        guard let limits = issues.rateLimits(spec.rateLimits, at: path) else { return nil }
        let declared = Set((spec.tools ?? []).compactMap(\.name))
        for (index, tool) in (spec.rateLimits?.tools ?? []).enumerated() {
            if let name = tool.name, !name.isEmpty, !declared.contains(name) {
                issues.warn(path.child("tools").index(index).child("name"), "\"\(name)\" is not in spec.tools", hint: "list the tool in spec.tools, or check the name's spelling")
            }
        }
        if mode == .none {
            issues.warn(path, "with auth.mode none no caller is identified, so no rate limit applies", hint: "use auth.mode header or oauth")
        }
        return limits
    }
}
