import Foundation
import KubeCore
import MCPRuntimeAPI
import Testing

/// Keeps the CRD schemas in crds/ and the Swift types from drifting apart, in both
/// directions, including enum values and defaults.
@Suite struct CRDAgreementTests {
    struct Kind: Sendable, CustomTestStringConvertible {
        var file: String
        var kind: String
        var decode: @Sendable (JSONValue) throws -> (value: Any, tree: JSONValue)
        var testDescription: String { kind }
    }

    static let kinds: [Kind] = [
        Kind(file: "crds/mcpruntime.org_mcpservers.yaml", kind: "MCPServer") { tree in
            let value = try KubeJSON.decode(MCPServer.self, from: tree)
            return (value, try KubeJSON.tree(value))
        },
        Kind(file: "crds/mcpruntime.org_mcpaccessgrants.yaml", kind: "MCPAccessGrant") { tree in
            let value = try KubeJSON.decode(MCPAccessGrant.self, from: tree)
            return (value, try KubeJSON.tree(value))
        },
        Kind(file: "crds/mcpruntime.org_mcpagentsessions.yaml", kind: "MCPAgentSession") { tree in
            let value = try KubeJSON.decode(MCPAgentSession.self, from: tree)
            return (value, try KubeJSON.tree(value))
        },
    ]

    /// Every enum in the schemas and the Swift values it must list.
    static let enums: [String: [String]] = [
        "spec.auth.mode": AuthMode.allowedValues,
        "spec.auth.allowedAlgorithms[]": SigningAlgorithm.allowedValues,
        "spec.policy.mode": PolicyMode.allowedValues,
        "spec.policy.defaultDecision": PolicyDecision.allowedValues,
        "spec.tools[].requiredTrust": TrustLevel.allowedValues,
        "spec.tools[].sideEffect": SideEffect.allowedValues,
        "spec.tools[].riskLevel": RiskLevel.allowedValues,
        "spec.rollout.strategy": RolloutStrategy.allowedValues,
        "spec.upstreamAuth.mode": UpstreamAuthMode.allowedValues,
        "spec.bindings.from": BindingsFrom.allowedValues,
        "spec.bindings.namespaceSelector.matchExpressions[].operator": LabelSelectorOperator.allCases.map(\.rawValue),
        "spec.auth.trustedSources[].namespaceSelector.matchExpressions[].operator": LabelSelectorOperator.allCases.map(\.rawValue),
        "spec.auth.trustedSources[].podSelector.matchExpressions[].operator": LabelSelectorOperator.allCases.map(\.rawValue),
        "spec.maxTrust": TrustLevel.allowedValues,
        "spec.allowedSideEffects[]": SideEffect.allowedValues,
        "spec.toolRules[].decision": PolicyDecision.allowedValues,
        "spec.toolRules[].requiredTrust": TrustLevel.allowedValues,
        "spec.resourceRules[].decision": PolicyDecision.allowedValues,
        "spec.promptRules[].decision": PolicyDecision.allowedValues,
        "spec.consentedTrust": TrustLevel.allowedValues,
        "status.conditions[].status": ["True", "False", "Unknown"],
    ]

    static func schema(_ file: String) throws -> JSONValue {
        let crd = try RepositoryFiles.yaml(file)
        guard case .array(let versions)? = crd["spec"]?["versions"], let schema = versions.first?["schema"]?["openAPIV3Schema"] else {
            throw CRDError("\(file) has no spec.versions[0].schema.openAPIV3Schema")
        }
        return schema
    }

    @Test("schema fields are Swift fields: a document with every schema field round-trips", arguments: kinds)
    func schemaFieldsRoundTrip(kind: Kind) throws {
        let maximal = try SchemaSample.maximal(Self.schema(kind.file), kind: kind.kind, defaults: .schemaValue)
        let (_, tree) = try kind.decode(maximal)
        #expect(tree == maximal, "a schema field was dropped or changed by the Swift type: \(SchemaSample.firstDifference(maximal, tree) ?? "?")")
    }

    @Test("Swift fields are schema fields", arguments: kinds)
    func swiftFieldsAreInSchema(kind: Kind) throws {
        let schema = try Self.schema(kind.file)
        let (value, _) = try kind.decode(SchemaSample.maximal(schema, kind: kind.kind, defaults: .schemaValue))
        var missing: [String] = []
        SchemaSample.walk(value, schema: schema, path: "", missing: &missing)
        #expect(missing.isEmpty, "Swift fields missing from \(kind.file): \(missing)")
    }

    @Test("schema enums list exactly the Swift enum values", arguments: kinds)
    func enumsAgree(kind: Kind) throws {
        var found: [String: [String]] = [:]
        SchemaSample.enums(try Self.schema(kind.file), path: "", into: &found)
        #expect(!found.isEmpty || kind.kind == "never")
        for (path, values) in found {
            #expect(Self.enums[path] == values, "\(kind.kind) \(path): schema \(values), Swift \(Self.enums[path] ?? [])")
        }
    }

    @Test("schema defaults are exactly what defaulted() applies")
    func defaultsAgree() throws {
        let schema = try Self.schema(Self.kinds[0].file)
        let withDefaults = try SchemaSample.maximal(schema, kind: "MCPServer", defaults: .schemaValue)
        let withoutDefaults = try SchemaSample.maximal(schema, kind: "MCPServer", defaults: .omitted)
        #expect(withDefaults != withoutDefaults)
        var server = try KubeJSON.decode(MCPServer.self, from: withoutDefaults)
        server.spec = server.spec.defaulted()
        let defaulted = try KubeJSON.tree(server)
        #expect(defaulted == withDefaults, "first difference: \(SchemaSample.firstDifference(withDefaults, defaulted) ?? "?")")
    }

    @Test("grants and sessions have no defaults in Swift or in the schema", arguments: kinds.dropFirst())
    func bindingsHaveNoDefaults(kind: Kind) throws {
        let schema = try Self.schema(kind.file)
        #expect(try SchemaSample.maximal(schema, kind: kind.kind, defaults: .schemaValue) == SchemaSample.maximal(schema, kind: kind.kind, defaults: .omitted))
    }

    @Test("schemas are structural: every property typed, no $ref, list-map keys required", arguments: kinds)
    func structural(kind: Kind) throws {
        var problems: [String] = []
        SchemaSample.checkStructural(try Self.schema(kind.file), path: "", problems: &problems)
        #expect(problems.isEmpty, "\(problems)")
    }

    /// With "Swift fields are schema fields", every field of the Swift types is documented
    /// in the CRD, which is what `kubectl explain` prints.
    @Test("every schema field has a description, at every depth", arguments: kinds)
    func everyFieldDescribed(kind: Kind) throws {
        var missing: [String] = []
        SchemaSample.undescribed(try Self.schema(kind.file), path: "", into: &missing)
        #expect(missing.isEmpty, "\(kind.file): \(missing.count) fields without a description: \(missing.sorted().joined(separator: ", "))")
    }

    @Test("CRD names, short names and printer columns")
    func names() throws {
        let expected = [("crds/mcpruntime.org_mcpservers.yaml", "mcps"), ("crds/mcpruntime.org_mcpaccessgrants.yaml", "mcpgrant"), ("crds/mcpruntime.org_mcpagentsessions.yaml", "mcpsession")]
        for (file, short) in expected {
            let crd = try RepositoryFiles.yaml(file)
            #expect(crd["spec"]?["names"]?["shortNames"] == .array([.string(short)]))
            #expect(crd["spec"]?["group"] == .string(MCPRuntimeGroup.group))
            guard case .array(let versions)? = crd["spec"]?["versions"], let version = versions.first else { Issue.record("no versions"); continue }
            #expect(version["subresources"]?["status"] == .object([:]))
        }
        let server = try RepositoryFiles.yaml(expected[0].0)
        guard case .array(let versions)? = server["spec"]?["versions"], case .array(let columns)? = versions.first?["additionalPrinterColumns"] else {
            Issue.record("no printer columns")
            return
        }
        let names = columns.compactMap { $0["name"]?.stringValue }
        for name in ["Ready", "URL", "Auth", "Policy", "Age"] {
            #expect(names.contains(name), "printer column \(name)")
        }
    }
}

struct CRDError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
