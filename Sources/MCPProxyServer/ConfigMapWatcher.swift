import Foundation
import KubeClient
import struct KubeCore.ConfigMap
import KubeRuntime
import ServiceLifecycle

/// Watches the proxy's own ConfigMap through the Kubernetes API and installs each new
/// revision as the watch event arrives: a revoked session or disabled grant is enforced
/// about a second after the API change, where a mounted ConfigMap volume can lag a
/// minute. List and watch name the object with a `metadata.name` field selector, which is
/// what a Role limited by `resourceNames` allows.
struct ConfigMapWatcher: ServiceLifecycle.Service {
    let client: KubeClient
    let namespace: String
    let name: String
    let key: String
    let state: ProxyState

    func run() async throws {
        let name = self.name
        let informer = {
            var informer = Informer<ConfigMap>(client: client, namespace: namespace)
            informer.fieldSelector = "metadata.name=\(name)"
            informer.filter = { $0.metadata.name == name }
            return informer
        }()
        let source = "configmap \(namespace)/\(name)"
        let key = self.key
        let state = self.state
        await cancelWhenGracefulShutdown {
            await informer.run(onChange: { change in
                // A deleted ConfigMap leaves the last good config serving (the operator recreates it).
                guard case .applied(_, let configMap, _) = change else { return }
                state.reload(from: source) { () throws(ConfigLoadError) in
                    guard let text = configMap.data?[key] else { throw ConfigLoadError(description: "\(source): has no key \(key)") }
                    return try ProxyConfigLoader.decode(Data(text.utf8), source: source)
                }
            }, onRestart: { restart in
                if case .failed(let error) = restart { state.watchFailed(source: source, error: error.description) }
            })
        }
    }
}
