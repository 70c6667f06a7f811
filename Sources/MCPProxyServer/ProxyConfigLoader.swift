import Foundation
import MCPProxyConfig

/// Why a config file cannot be used. The message says what to fix.
public typealias ConfigLoadError = ProxyConfigError

/// Reads and checks a `config.json` (see docs/proxy-config.md). A proxy never starts,
/// and never switches, to a config that fails here.
public enum ProxyConfigLoader {
    public static func load(path: String) throws(ConfigLoadError) -> ProxyConfig {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ConfigLoadError(description: "\(path): cannot read the file (\(error.localizedDescription))")
        }
        return try decode(data, source: path)
    }

    /// The checks themselves are `ProxyConfigDecoder.decode` (MCPProxyConfig, pure).
    public static func decode(_ data: Data, source: String) throws(ConfigLoadError) -> ProxyConfig {
        try ProxyConfigDecoder.decode(data, source: source)
    }
}
