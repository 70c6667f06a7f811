import Foundation
import KubeCore
import MCPManifests

/// Files of this repository, found from the test source's own path.
enum RepositoryFiles {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func text(_ relativePath: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(relativePath), encoding: .utf8)
    }

    /// The single document of a YAML file as a JSON tree.
    static func yaml(_ relativePath: String) throws -> JSONValue {
        let parsed = YAMLDocuments.parse(try text(relativePath))
        if let error = parsed.error { throw error }
        return parsed.documents[0].value
    }
}
