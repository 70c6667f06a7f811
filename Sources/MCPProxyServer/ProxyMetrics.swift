import Prometheus
import Synchronization

/// The proxy's Prometheus metrics, served on the admin listener's `/metrics`.
final class ProxyMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    private let latency: DurationHistogram
    private let revision = Mutex<(value: String, gauge: Gauge)?>(nil)

    init() {
        latency = registry.makeDurationHistogram(
            name: "mcp_proxy_request_duration_seconds",
            buckets: [.milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
                      .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2), .seconds(5)],
            help: "Time until the response head: the proxy's decision, plus the upstream's when forwarded."
        )
    }

    /// One request, by the decision and reason of its audit record (`none` when no
    /// decision was made: metadata, 404).
    func request(decision: String, reason: String, duration: Duration) {
        registry.makeCounter(name: "mcp_proxy_requests_total", labels: [("decision", decision), ("reason", reason)], help: "Requests by decision and reason.").increment()
        latency.record(duration)
    }

    func jwksFetch(succeeded: Bool) {
        registry.makeCounter(name: "mcp_proxy_jwks_fetches_total", labels: [("outcome", succeeded ? "success" : "failure")], help: "JWKS fetches from the issuer.").increment()
    }

    func reload(succeeded: Bool) {
        registry.makeCounter(name: "mcp_proxy_config_reloads_total", labels: [("outcome", succeeded ? "success" : "failure")], help: "Config reloads; a failed one keeps the last good config.").increment()
    }

    func watchFailure() {
        registry.makeCounter(name: "mcp_proxy_config_watch_failures_total", help: "Failed list or watch calls for the proxy's ConfigMap; each is retried.").increment()
    }

    /// `mcp_proxy_config_info{revision="…"} 1` for the config in force.
    func activeRevision(_ value: String) {
        revision.withLock { current in
            guard current?.value != value else { return }
            if let old = current?.gauge { registry.unregisterGauge(old) }
            let gauge = registry.makeGauge(name: "mcp_proxy_config_info", labels: [("revision", value)], help: "The revision of the config in force.")
            gauge.set(to: 1)
            current = (value, gauge)
        }
    }

    func text() -> String { registry.emitToString() }
}
