import Foundation
import KubeCore
import MCPManifests
import MCPProxyConfig
import MCPRuntimeAPI
import MCPRuntimeRender

/// What `mcp-runtime render` prints and how it exits; kept apart from argument
/// parsing so that tests run it directly.
public struct RenderOutcome: Sendable {
    public var stdout = ""
    public var stderr = ""
    public var exitCode: Int32 = 0
}

/// `mcp-runtime render`: manifests in, the objects the operator would apply out.
public struct RenderRun: Sendable {
    public var paths: [String]
    /// `NAME` or `NAMESPACE/NAME`: print only that server's proxy config JSON.
    public var proxyConfig: String?
    public var namespace: String
    public var options: RenderOptions

    public init(paths: [String], proxyConfig: String? = nil, namespace: String = "default", options: RenderOptions = RenderOptions()) {
        self.paths = paths
        self.proxyConfig = proxyConfig
        self.namespace = namespace
        self.options = options
    }

    public func execute(readStandardInput: () -> String = { String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self) }) -> RenderOutcome {
        var outcome = RenderOutcome()
        func fail(_ message: String) -> RenderOutcome {
            outcome.stderr += "error: \(message)\n"
            outcome.exitCode = 1
            return outcome
        }

        var manifests = ManifestSet()
        do {
            for file in try Self.expand(paths) {
                let text = file == "-" ? readStandardInput() : try String(contentsOfFile: file, encoding: .utf8)
                manifests.append(contentsOf: ManifestLoader.load(text: text, file: file == "-" ? "<stdin>" : file, defaultNamespace: namespace))
            }
        } catch let error as InputError {
            return fail(error.description)
        } catch {
            return fail("\(error)")
        }

        var servers: [(MCPServer, LoadedObject)] = []
        var grants: [(MCPAccessGrant, LoadedObject)] = []
        var sessions: [(MCPAgentSession, LoadedObject)] = []
        for loaded in manifests.objects {
            switch loaded.object {
            case .server(let server): servers.append((server, loaded))
            case .grant(let grant): grants.append((grant, loaded))
            case .session(let session): sessions.append((session, loaded))
            }
        }
        let plan = RenderPlan.make(servers: servers.map(\.0), grants: grants.map(\.0), sessions: sessions.map(\.0), options: options)
        var diagnostics = manifests.diagnostics
        for finding in plan.findings {
            let loaded: LoadedObject
            switch finding.source {
            case .server(let index): loaded = servers[index].1
            case .grant(let index): loaded = grants[index].1
            case .session(let index): loaded = sessions[index].1
            }
            var location = loaded.location
            location.line = loaded.document.line(of: finding.issue.path) ?? location.line
            diagnostics.append(ManifestDiagnostic(location: location, object: loaded.label, issue: finding.issue))
        }
        let fileOrder = Dictionary(manifests.objects.map(\.location.file).enumerated().map { ($1, $0) }, uniquingKeysWith: min)
        diagnostics.sort { a, b in
            let left = (fileOrder[a.location.file] ?? Int.max, a.location.document, a.location.line ?? 0)
            let right = (fileOrder[b.location.file] ?? Int.max, b.location.document, b.location.line ?? 0)
            return left < right
        }
        outcome.stderr = diagnostics.map { $0.description + "\n" }.joined()
        if diagnostics.contains(where: { $0.issue.severity == .error }) {
            let count = diagnostics.filter { $0.issue.severity == .error }.count
            outcome.stderr += "error: \(count) problem\(count == 1 ? "" : "s") found; nothing rendered\n"
            outcome.exitCode = 1
            return outcome
        }
        if servers.isEmpty {
            return fail("no MCPServer found in \(paths.joined(separator: " "))")
        }

        do {
            if let wanted = proxyConfig {
                let matches = plan.rendered.filter { rendered in
                    wanted.contains("/") ? rendered.server.description == wanted : rendered.server.name == wanted
                }
                guard matches.count == 1, let match = matches.first else {
                    let known = plan.rendered.map(\.server.description).joined(separator: ", ")
                    return fail(matches.isEmpty
                        ? "no MCPServer \"\(wanted)\" among the manifests (found: \(known))"
                        : "\"\(wanted)\" names servers in several namespaces; use NAMESPACE/NAME")
                }
                outcome.stdout = String(decoding: try KubeJSON.encode(match.proxyConfig, pretty: true), as: UTF8.self) + "\n"
            } else {
                let objects = plan.rendered.flatMap { rendered in rendered.objects.map { (rendered.server, $0) } }
                outcome.stdout = try ManifestWriter.yaml(objects.map(\.1)) { index in
                    "MCPServer \(objects[index].0) -> \(objects[index].1.reference)"
                }
            }
        } catch {
            return fail("could not write the output: \(error)")
        }
        return outcome
    }

    struct InputError: Error, CustomStringConvertible {
        var description: String
    }

    /// Files named directly, and the `.yaml`, `.yml` and `.json` files of named directories.
    static func expand(_ paths: [String]) throws -> [String] {
        guard !paths.isEmpty else { throw InputError(description: "no input: pass -f FILE_OR_DIR (or -f - for standard input)") }
        var files: [String] = []
        for path in paths {
            if path == "-" {
                files.append(path)
                continue
            }
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw InputError(description: "\(path): no such file or directory")
            }
            if isDirectory.boolValue {
                let entries = try FileManager.default.contentsOfDirectory(atPath: path)
                let manifests = entries.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") || $0.hasSuffix(".json") }.sorted()
                files += manifests.map { (path as NSString).appendingPathComponent($0) }
            } else {
                files.append(path)
            }
        }
        return files
    }
}
