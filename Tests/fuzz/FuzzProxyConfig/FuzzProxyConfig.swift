import StrictJSON
import Foundation
import FuzzSupport
import KubeCore
import MCPAuth
import MCPProxyConfig

/// `ProxyConfigDecoder.decode`, what mcp-proxy runs on every `config.json` it loads or
/// reloads, on any bytes. Besides not crashing: a refusal names the source; a config it
/// takes is JSON to `JSONSerialization` too (one known exception, below), meets every rule
/// the decoder checks, carries its content's revision, and decodes again to itself from
/// its own encoding.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzProxyConfig(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    checkProxyConfig(Fuzz.bytes(data, size))
    return 0
}

#if !FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
@main enum Replay {
    static func main() { Fuzz.replay(checkProxyConfig) }
}
#endif

func checkProxyConfig(_ input: [UInt8]) {
    let data = Data(input)
    let config: ProxyConfig
    do {
        config = try ProxyConfigDecoder.decode(data, source: "fuzz")
    } catch {
        Fuzz.require(error.description.hasPrefix("fuzz: ") && error.description.count > 6, "a refusal without its source or reason: \(error.description.debugDescription)")
        return
    }
    let text = String(decoding: input.prefix(1024), as: UTF8.self).debugDescription
    if !((try? JSONSerialization.jsonObject(with: data)) is [String: Any]) {
        // Known: JSONDecoder does not validate members it does not decode (raw control
        // characters, invalid UTF-8, lone surrogates, bad escapes or numbers in a member
        // the config does not have). Such a document must be invalid JSON to the strict reader too.
        var strictRefuses = false
        do throws(StrictJSONError) {
            try StrictJSONReader.read(input) { reader throws(StrictJSONError) in try reader.skipValue(depth: 0) }
        } catch {
            strictRefuses = true
        }
        Fuzz.require(strictRefuses, "a config that JSONSerialization does not read as an object and the strict reader takes: \(text)")
    }
    Fuzz.require(config.version == ProxyConfig.currentVersion, "version \(config.version) taken: \(text)")
    Fuzz.require(config.resource.path.hasPrefix("/"), "resource.path \(config.resource.path.debugDescription) taken: \(text)")
    Fuzz.require(config.limits.maxBodyBytes > 0, "limits.maxBodyBytes \(config.limits.maxBodyBytes) taken: \(text)")
    let scheme = URL(string: config.upstream.url)?.scheme
    Fuzz.require(scheme == "http" || scheme == "https", "upstream.url \(config.upstream.url.debugDescription) taken: \(text)")
    if config.unusable == nil, config.auth.mode == .oauth {
        Fuzz.require(config.auth.oauth != nil && config.resource.uri != nil && config.resource.metadataURL != nil, "an oauth config without its settings taken: \(text)")
    }
    Fuzz.require(config.revision == config.contentRevision, "revision \(String(describing: config.revision)) is not the content's \(config.contentRevision)")

    let encoded: Data
    do {
        encoded = try KubeJSON.encode(config)
    } catch {
        return Fuzz.require(false, "a config taken does not encode (\(error)): \(text)")
    }
    do {
        let again = try ProxyConfigDecoder.decode(encoded, source: "again")
        Fuzz.require(again == config, "a config taken does not decode to itself from its encoding \(String(decoding: encoded, as: UTF8.self)): \(text)")
    } catch {
        Fuzz.require(false, "a config taken is refused from its own encoding (\(error.description)): \(String(decoding: encoded, as: UTF8.self))")
    }
}
