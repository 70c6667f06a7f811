import Foundation
import MCPRuntimeAPI
import MCPRuntimeRender
import Testing

/// The images the install and the renderer name are the ones hack/image.sh tags: the
/// version both binaries print.
@Suite struct ReleaseImageTests {
    @Test("manifests/operator.yaml runs mcp-runtime and renders mcp-proxy at the binaries' version")
    func operatorManifestNamesThisVersion() throws {
        let text = try String(contentsOf: RenderCommandTests.root.appendingPathComponent("manifests/operator.yaml"), encoding: .utf8)
        let version = MCPRuntimeVersion.current
        #expect(text.contains("image: ghcr.io/mcp-runtime/mcp-runtime:\(version)\n"))
        #expect(text.contains("--proxy-image, ghcr.io/mcp-runtime/mcp-proxy:\(version)]"))
        #expect(RenderOptions.defaultProxyImage == "ghcr.io/mcp-runtime/mcp-proxy:\(version)")
    }
}
