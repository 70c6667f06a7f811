import Foundation
import MCPAuth
import MCPPolicy

extension ProxyRuntime {
    /// What a governed request is about: the tool of `tools/call`, the resource of
    /// `resources/read` and `resources/subscribe`, the prompt of `prompts/get`.
    static func governedItem(_ message: JSONRPCMessage) -> GovernedItem? {
        guard case .request(let method, _, let name, let reference) = message else { return nil }
        switch reference {
        case .prompt(let prompt)?: return .prompt(prompt)
        case .resource(let uri)?: return .resourceTemplate(uri)
        case nil: break
        }
        guard let target = name else { return nil }
        switch method {
        case JSONRPCMessage.toolsCall: return .tool(target)
        case "resources/read", "resources/subscribe": return .resource(target)
        case "prompts/get": return .prompt(target)
        default: return nil
        }
    }

    /// The resource subscriptions of protocol revision 2026-07-28.
    static let subscriptionsListen = "subscriptions/listen"

    static func isListRequest(_ message: JSONRPCMessage) -> Bool {
        if case .request(let method, _, _, _) = message { return AnswerFilter.listMethods.contains(method) }
        return false
    }

    /// The filter of list entries for this caller: what a call of each would be decided
    /// now, governance and the tool's scopes both.
    func answerFilter(caller: CallerIdentity, grantedScopes: Set<String>, now: Date, listRequest: Bool) -> AnswerFilter {
        let standing = policy.callerStanding(of: caller, now: now, activity: activity)
        let scopes = self.scopes
        let comparesURIs = policy.hasResourceRules
        let entries = ListAnswerFilter { entry in
            var item = entry
            if comparesURIs, let uri = entry.uri {
                guard case .success(let canonical) = ResourceURICheck.canonical(uri) else { return false }
                item = entry.with(uri: canonical)
            }
            guard standing.permits(item) else { return false }
            guard case .tool(let name) = item, let scopes else { return true }
            return scopes.check(granted: grantedScopes, tool: name) == .sufficient
        }
        return AnswerFilter(entries: entries, observeOnly: config.policy.mode == .observe, listRequest: listRequest)
    }
}
