import Foundation
import Synchronization
import Yams

/// Where the API server is and how to talk to it: from the pod's service account
/// (in cluster) or from a kubeconfig file.
public struct ClientConfiguration: Sendable {
    /// `https://host:port`, without a trailing slash.
    public var server: String
    /// The namespace of the context or of the service account.
    public var namespace: String
    public var tls: TLSSettings
    public var credentials: Credentials

    public enum Credentials: Sendable {
        case none
        case token(String)
        /// Re-read when the file changes: projected service-account tokens rotate.
        case tokenFile(String)
    }

    public init(server: String, namespace: String = "default", tls: TLSSettings = TLSSettings(), credentials: Credentials = .none) {
        self.server = server.hasSuffix("/") ? String(server.dropLast()) : server
        self.namespace = namespace
        self.tls = tls
        self.credentials = credentials
    }

    /// Where a pod finds its service account token, CA and namespace.
    public static let serviceAccount = "/var/run/secrets/kubernetes.io/serviceaccount"

    /// `--kubeconfig` if given, else `$KUBECONFIG` (its first file), else the service
    /// account when running in a pod, else `~/.kube/config`.
    public static func resolve(kubeconfig: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws(ConfigurationError) -> Self {
        if let kubeconfig { return try fromKubeconfig(path: kubeconfig) }
        if let paths = environment["KUBECONFIG"], let first = paths.split(separator: ":").first {
            return try fromKubeconfig(path: String(first))
        }
        if environment["KUBERNETES_SERVICE_HOST"] != nil { return try inCluster(environment: environment) }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return try fromKubeconfig(path: "\(home)/.kube/config")
    }

    /// The pod's service account: `KUBERNETES_SERVICE_HOST`/`_PORT`, its CA, token and namespace.
    public static func inCluster(environment: [String: String] = ProcessInfo.processInfo.environment, root: String = serviceAccount) throws(ConfigurationError) -> Self {
        guard let host = environment["KUBERNETES_SERVICE_HOST"], !host.isEmpty else {
            throw ConfigurationError("not in a cluster: KUBERNETES_SERVICE_HOST is not set; pass --kubeconfig")
        }
        let port = environment["KUBERNETES_SERVICE_PORT"] ?? "443"
        let authority = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        let token = "\(root)/token"
        guard FileManager.default.isReadableFile(atPath: token) else {
            throw ConfigurationError("\(token) is not readable: is the service account token mounted (automountServiceAccountToken)?")
        }
        let namespace = (try? String(contentsOfFile: "\(root)/namespace", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
        return Self(server: "https://\(authority)", namespace: namespace ?? "default", tls: TLSSettings(caFile: "\(root)/ca.crt"), credentials: .tokenFile(token))
    }

    /// The current context of a kubeconfig (or `context`): server, CA, client certificate
    /// or token, namespace. Relative file paths are relative to the kubeconfig's folder.
    public static func fromKubeconfig(path: String, context name: String? = nil) throws(ConfigurationError) -> Self {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigurationError("\(path): cannot read the kubeconfig (\(error.localizedDescription))")
        }
        let file: Kubeconfig
        do {
            file = try YAMLDecoder().decode(Kubeconfig.self, from: text)
        } catch {
            throw ConfigurationError("\(path): not a kubeconfig (\(error))")
        }
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        func local(_ file: String?) -> String? {
            guard let file else { return nil }
            return file.hasPrefix("/") ? file : "\(folder)/\(file)"
        }
        func decoded(_ field: String, _ base64: String?) throws(ConfigurationError) -> Data? {
            guard let base64 else { return nil }
            guard let data = Data(base64Encoded: base64.filter { !$0.isWhitespace }) else { throw ConfigurationError("\(path): \(field) is not base64") }
            return data
        }
        guard let contextName = name ?? file.currentContext, !contextName.isEmpty else {
            throw ConfigurationError("\(path): no current-context; pick one with kubectl config use-context")
        }
        guard let context = file.contexts?.first(where: { $0.name == contextName })?.context else {
            throw ConfigurationError("\(path): context \"\(contextName)\" does not exist")
        }
        guard let cluster = file.clusters?.first(where: { $0.name == context.cluster })?.cluster else {
            throw ConfigurationError("\(path): cluster \"\(context.cluster)\" of context \"\(contextName)\" does not exist")
        }
        let user = context.user.flatMap { name in file.users?.first(where: { $0.name == name })?.user }
        let tls = TLSSettings(
            caFile: local(cluster.certificateAuthority), caData: try decoded("certificate-authority-data", cluster.certificateAuthorityData),
            clientCertificateFile: local(user?.clientCertificate), clientCertificateData: try decoded("client-certificate-data", user?.clientCertificateData),
            clientKeyFile: local(user?.clientKey), clientKeyData: try decoded("client-key-data", user?.clientKeyData),
            insecureSkipVerify: cluster.insecureSkipTLSVerify ?? false
        )
        let credentials: Credentials = if let token = user?.token { .token(token) } else if let file = local(user?.tokenFile) { .tokenFile(file) } else { .none }
        return Self(server: cluster.server, namespace: context.namespace ?? "default", tls: tls, credentials: credentials)
    }
}

/// Why no client configuration could be made; says what to fix.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}

/// The parts of a kubeconfig file the client reads.
struct Kubeconfig: Decodable {
    struct Cluster: Decodable {
        var server: String
        var certificateAuthority: String?
        var certificateAuthorityData: String?
        var insecureSkipTLSVerify: Bool?

        enum CodingKeys: String, CodingKey {
            case server
            case certificateAuthority = "certificate-authority"
            case certificateAuthorityData = "certificate-authority-data"
            case insecureSkipTLSVerify = "insecure-skip-tls-verify"
        }
    }

    struct User: Decodable {
        var token: String?
        var tokenFile: String?
        var clientCertificate: String?
        var clientCertificateData: String?
        var clientKey: String?
        var clientKeyData: String?

        enum CodingKeys: String, CodingKey {
            case token, tokenFile
            case clientCertificate = "client-certificate"
            case clientCertificateData = "client-certificate-data"
            case clientKey = "client-key"
            case clientKeyData = "client-key-data"
        }
    }

    struct Context: Decodable {
        var cluster: String
        var user: String?
        var namespace: String?
    }

    var clusters: [NamedCluster]?
    var users: [NamedUser]?
    var contexts: [NamedContext]?
    var currentContext: String?

    struct NamedCluster: Decodable { var name: String; var cluster: Cluster }
    struct NamedUser: Decodable { var name: String; var user: User }
    struct NamedContext: Decodable { var name: String; var context: Context }

    enum CodingKeys: String, CodingKey {
        case clusters, users, contexts
        case currentContext = "current-context"
    }
}

/// A bearer token file read again when its modification time changes.
final class TokenFile: Sendable {
    let path: String
    private let cache = Mutex<(modified: Date, token: String)?>(nil)

    init(path: String) {
        self.path = path
    }

    func token() throws(ConfigurationError) -> String {
        let modified = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date ?? .distantPast
        if let cached = cache.withLock({ $0 }), cached.modified == modified { return cached.token }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw ConfigurationError("\(path): cannot read the token") }
        let token = text.trimmingCharacters(in: .whitespacesAndNewlines)
        cache.withLock { $0 = (modified, token) }
        return token
    }
}
