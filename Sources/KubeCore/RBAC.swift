/// `v1.ServiceAccount`.
public struct ServiceAccount: KubeResource, Hashable {
    public static let apiVersion = "v1"
    public static let kind = "ServiceAccount"
    public static let plural = "serviceaccounts"

    public var apiVersion = ServiceAccount.apiVersion
    public var kind = ServiceAccount.kind
    public var metadata: ObjectMeta
    public var automountServiceAccountToken: Bool?

    public init(metadata: ObjectMeta, automountServiceAccountToken: Bool? = nil) {
        self.metadata = metadata
        self.automountServiceAccountToken = automountServiceAccountToken
    }
}

/// `rbac.authorization.k8s.io/v1.Role`.
public struct Role: KubeResource, Hashable {
    public static let apiVersion = "rbac.authorization.k8s.io/v1"
    public static let kind = "Role"
    public static let plural = "roles"

    public var apiVersion = Role.apiVersion
    public var kind = Role.kind
    public var metadata: ObjectMeta
    public var rules: [PolicyRule]?

    public init(metadata: ObjectMeta, rules: [PolicyRule]) {
        self.metadata = metadata
        self.rules = rules
    }
}

public struct PolicyRule: Codable, Sendable, Hashable {
    public var apiGroups: [String]?
    public var resources: [String]?
    public var resourceNames: [String]?
    public var verbs: [String]

    public init(apiGroups: [String], resources: [String], resourceNames: [String]? = nil, verbs: [String]) {
        self.apiGroups = apiGroups
        self.resources = resources
        self.resourceNames = resourceNames
        self.verbs = verbs
    }
}

/// `rbac.authorization.k8s.io/v1.RoleBinding`.
public struct RoleBinding: KubeResource, Hashable {
    public static let apiVersion = "rbac.authorization.k8s.io/v1"
    public static let kind = "RoleBinding"
    public static let plural = "rolebindings"

    public var apiVersion = RoleBinding.apiVersion
    public var kind = RoleBinding.kind
    public var metadata: ObjectMeta
    public var roleRef: RoleRef
    public var subjects: [RBACSubject]?

    public init(metadata: ObjectMeta, roleRef: RoleRef, subjects: [RBACSubject]) {
        self.metadata = metadata
        self.roleRef = roleRef
        self.subjects = subjects
    }
}

public struct RoleRef: Codable, Sendable, Hashable {
    public var apiGroup: String
    public var kind: String
    public var name: String

    public init(apiGroup: String = "rbac.authorization.k8s.io", kind: String = "Role", name: String) {
        self.apiGroup = apiGroup
        self.kind = kind
        self.name = name
    }
}

public struct RBACSubject: Codable, Sendable, Hashable {
    public var kind: String
    public var name: String
    public var namespace: String?

    public init(kind: String = "ServiceAccount", name: String, namespace: String?) {
        self.kind = kind
        self.name = name
        self.namespace = namespace
    }
}
