import Foundation
import MCPManifests
import MCPRuntimeAPI
import MCPRuntimeRender

/// The manifests under manifests/samples, loaded and planned as the CLI does.
enum Samples {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let directory = root.appendingPathComponent("manifests/samples")
    static let snapshots = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Snapshots")

    static func load() throws -> ManifestSet {
        var set = ManifestSet()
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".yaml") }.sorted()
        for file in files {
            let text = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
            set.append(contentsOf: ManifestLoader.load(text: text, file: file))
        }
        return set
    }

    static func plan(_ set: ManifestSet, reversed: Bool = false) -> RenderPlan {
        var servers: [MCPServer] = [], grants: [MCPAccessGrant] = [], sessions: [MCPAgentSession] = []
        for object in reversed ? set.objects.reversed() : set.objects {
            switch object.object {
            case .server(let value): servers.append(value)
            case .grant(let value): grants.append(value)
            case .session(let value): sessions.append(value)
            }
        }
        return RenderPlan.make(servers: servers, grants: grants, sessions: sessions)
    }
}
