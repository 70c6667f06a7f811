import KubeCore

extension ServerResolver {
    struct Workload {
        var image: String
        var secretEnv: [SecretEnv]
        var rollout: ResolvedRollout
    }

    mutating func resolveWorkload() -> Workload {
        let path = Self.spec
        var image = spec.image ?? ""
        if image.isEmpty {
            issues.required(path.child("image"), "image is required", hint: "set spec.image to the MCP server's container image, e.g. ghcr.io/acme/weather-mcp")
        } else if image.contains(where: \.isWhitespace) {
            issues.invalid(path.child("image"), "image \"\(image)\" contains whitespace")
        }
        if let registry = spec.registryOverride, !registry.isEmpty {
            image = Self.replacingRegistry(of: image, with: registry)
        }
        if let tag = spec.imageTag, !tag.isEmpty {
            if tag.contains(where: { $0.isWhitespace || $0 == ":" || $0 == "@" || $0 == "/" }) {
                issues.invalid(path.child("imageTag"), "\"\(tag)\" is not a valid image tag")
            } else if Syntax.imageHasTagOrDigest(image) {
                issues.warn(path.child("imageTag"), "ignored because spec.image already names a tag or digest")
            } else {
                image += ":" + tag
            }
        } else if !image.isEmpty && !Syntax.imageHasTagOrDigest(image) {
            image += ":" + Defaults.imageTag
        }

        if let teamID = spec.teamID { checkTeamID(teamID, at: path.child("teamID")) }
        checkPort(spec.port, at: path.child("port"))
        checkPort(spec.servicePort, at: path.child("servicePort"))
        if let replicas = spec.replicas, replicas < 0 {
            issues.invalid(path.child("replicas"), "must be 0 or more")
        }
        for (index, secret) in (spec.imagePullSecrets ?? []).enumerated() where !Syntax.isDNS1123Subdomain(secret) {
            issues.invalid(path.child("imagePullSecrets").index(index), "\"\(secret)\" is not a valid Secret name")
        }
        checkResources(spec.resources, at: path.child("resources"))

        for (index, env) in (spec.envVars ?? []).enumerated() {
            checkEnvName(env.name, at: path.child("envVars").index(index).child("name"))
        }
        var secretEnv: [SecretEnv] = []
        for (index, env) in (spec.secretEnvVars ?? []).enumerated() {
            let item = path.child("secretEnvVars").index(index)
            checkEnvName(env.name, at: item.child("name"))
            if let secret = secretRef(env.secretKeyRef, at: item.child("secretKeyRef")), let name = env.name {
                secretEnv.append(SecretEnv(name: name, secret: secret))
            }
        }
        issues.unique((spec.envVars ?? []).map(\.name) + (spec.secretEnvVars ?? []).map(\.name), at: path.child("envVars"), field: "name", what: "environment variable")

        return Workload(image: image, secretEnv: secretEnv, rollout: resolveRollout())
    }

    private mutating func resolveRollout() -> ResolvedRollout {
        let rollout = spec.rollout ?? RolloutConfig().defaulted()
        let path = Self.spec.child("rollout")
        let strategy = issues.choice(rollout.strategy, as: RolloutStrategy.self, at: path.child("strategy")) ?? .rollingUpdate
        for (field, value) in [("maxUnavailable", rollout.maxUnavailable), ("maxSurge", rollout.maxSurge)] {
            if let value, !Syntax.isIntOrPercent(value) {
                issues.invalid(path.child(field), "\"\(value)\" is neither a whole number nor a percentage", hint: "use a value such as 1 or 25%")
            }
        }
        if strategy == .canary {
            let replicas = spec.replicas ?? Defaults.replicas
            if let canary = rollout.canaryReplicas, canary > 0 {
                if canary >= replicas {
                    issues.invalid(path.child("canaryReplicas"), "must be less than spec.replicas (\(replicas))")
                }
            } else {
                issues.required(path.child("canaryReplicas"), "a Canary rollout needs canaryReplicas greater than 0")
            }
        }
        return ResolvedRollout(
            strategy: strategy,
            maxUnavailable: rollout.maxUnavailable ?? Defaults.maxUnavailable,
            maxSurge: rollout.maxSurge ?? Defaults.maxSurge,
            canaryReplicas: rollout.canaryReplicas
        )
    }

    mutating func checkTeamID(_ teamID: String, at path: FieldPath) {
        if !Syntax.isIdentifier(teamID) {
            issues.invalid(path, "teamID must be a stable identifier of 1 to 128 characters without whitespace")
        }
    }

    mutating func checkPort(_ port: Int?, at path: FieldPath) {
        if let port, !(1...65535).contains(port) {
            issues.invalid(path, "port \(port) is out of range", hint: "use a port from 1 to 65535")
        }
    }

    mutating func checkResources(_ resources: ComputeResources?, at path: FieldPath) {
        for (field, list) in [("limits", resources?.limits), ("requests", resources?.requests)] {
            for (name, value) in [("cpu", list?.cpu), ("memory", list?.memory)] {
                if let value, !Syntax.isQuantity(value) {
                    issues.invalid(path.child(field, name), "\"\(value)\" is not a Kubernetes quantity", hint: name == "cpu" ? "use e.g. 500m or 1" : "use e.g. 256Mi or 1Gi")
                }
            }
        }
    }

    private mutating func checkEnvName(_ name: String?, at path: FieldPath) {
        guard let name, !name.isEmpty else {
            issues.required(path, "an environment variable needs a name")
            return
        }
        if !Syntax.isEnvVarName(name) {
            issues.invalid(path, "\"\(name)\" is not a valid environment variable name", hint: "use letters, digits, '_', '-' and '.', not starting with a digit")
        }
    }

    mutating func secretRef(_ ref: SecretKeyRef?, at path: FieldPath, required: Bool = true) -> SecretRef? {
        issues.secretRef(ref, at: path, required: required)
    }

    /// Replaces the registry part of an image reference, keeping repository and tag.
    static func replacingRegistry(of image: String, with registry: String) -> String {
        let parts = image.split(separator: "/", maxSplits: 1).map(String.init)
        let registry = registry.hasSuffix("/") ? String(registry.dropLast()) : registry
        if parts.count == 2, parts[0].contains(".") || parts[0].contains(":") || parts[0] == "localhost" {
            return registry + "/" + parts[1]
        }
        return registry + "/" + image
    }
}
