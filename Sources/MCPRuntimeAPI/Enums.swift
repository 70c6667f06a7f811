/// A closed set of string values of an API field. Wire types keep such fields as
/// `String` so that any manifest decodes and validation can report every bad value;
/// these enums are what the values mean once validated.
public protocol APIEnum: RawRepresentable, CaseIterable, Sendable, Hashable, Codable where RawValue == String {}

extension APIEnum {
    /// The allowed values, for messages and the CRD agreement test.
    public static var allowedValues: [String] { allCases.map(\.rawValue) }
}

/// `spec.auth.mode`.
public enum AuthMode: String, APIEnum {
    case none, header, oauth
}

/// `spec.policy.mode`.
public enum PolicyMode: String, APIEnum {
    case allowList = "allow-list"
    case observe
}

/// `spec.policy.defaultDecision`, `toolRules[].decision`.
public enum PolicyDecision: String, APIEnum {
    case allow, deny
}

/// Trust levels, ordered low < medium < high.
public enum TrustLevel: String, APIEnum, Comparable {
    case low, medium, high

    /// low = 1, medium = 2, high = 3.
    public var rank: Int {
        switch self {
        case .low: 1
        case .medium: 2
        case .high: 3
        }
    }

    public static func < (lhs: TrustLevel, rhs: TrustLevel) -> Bool { lhs.rank < rhs.rank }
}

/// `tools[].sideEffect`, `allowedSideEffects[]`.
public enum SideEffect: String, APIEnum {
    case read, write, destructive
}

/// `tools[].riskLevel` (inventory only).
public enum RiskLevel: String, APIEnum {
    case low, medium, high
}

/// `spec.rollout.strategy`.
public enum RolloutStrategy: String, APIEnum {
    case rollingUpdate = "RollingUpdate"
    case recreate = "Recreate"
    case canary = "Canary"
}

/// `spec.upstreamAuth.mode`.
public enum UpstreamAuthMode: String, APIEnum {
    case none, secret, tokenExchange
}

/// `spec.auth.allowedAlgorithms[]`: asymmetric JWS algorithms only.
public enum SigningAlgorithm: String, APIEnum {
    case rs256 = "RS256", rs384 = "RS384", rs512 = "RS512"
    case ps256 = "PS256", ps384 = "PS384", ps512 = "PS512"
    case es256 = "ES256", es384 = "ES384"
    case edDSA = "EdDSA"
}

/// `spec.bindings.from`: which namespaces' grants and sessions a server accepts.
public enum BindingsFrom: String, APIEnum {
    case same = "Same"
    case all = "All"
    case selector = "Selector"
}
