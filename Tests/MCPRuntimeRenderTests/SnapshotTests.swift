import Foundation
import MCPManifests
import MCPRuntimeRender
import Testing

/// Every sample renders exactly the committed snapshot. After an intended change,
/// regenerate with `UPDATE_SNAPSHOTS=1 swift test --filter SnapshotTests` and review the diff.
@Suite struct SnapshotTests {
    @Test("the samples load without problems and render every server")
    func samplesAreClean() throws {
        let set = try Samples.load()
        #expect(set.diagnostics.isEmpty, "\(set.diagnostics)")
        let plan = Samples.plan(set)
        #expect(plan.findings.isEmpty, "\(plan.findings.map(\.issue))")
        #expect(plan.rendered.map(\.server.description) == ["mcp-servers/docs", "mcp-servers/tickets", "team-a/weather"])
    }

    @Test("each server renders its snapshot")
    func snapshots() throws {
        let plan = Samples.plan(try Samples.load())
        let update = ProcessInfo.processInfo.environment["UPDATE_SNAPSHOTS"] == "1"
        for rendered in plan.rendered {
            let yaml = try ManifestWriter.yaml(rendered.objects)
            let file = Samples.snapshots.appendingPathComponent("\(rendered.server.namespace)-\(rendered.server.name).yaml")
            if update {
                try FileManager.default.createDirectory(at: Samples.snapshots, withIntermediateDirectories: true)
                try yaml.write(to: file, atomically: true, encoding: .utf8)
                continue
            }
            let expected = try String(contentsOf: file, encoding: .utf8)
            #expect(yaml == expected, "\(file.lastPathComponent) differs; if intended, regenerate with UPDATE_SNAPSHOTS=1")
        }
    }

    @Test("rendering is deterministic: same input, same bytes, whatever the input order")
    func deterministic() throws {
        let set = try Samples.load()
        let first = try Samples.plan(set).rendered.map { try ManifestWriter.yaml($0.objects) }
        let again = try Samples.plan(set).rendered.map { try ManifestWriter.yaml($0.objects) }
        let reordered = try Samples.plan(set, reversed: true).rendered.map { try ManifestWriter.yaml($0.objects) }
        #expect(first == again)
        #expect(first == reordered)
    }
}
