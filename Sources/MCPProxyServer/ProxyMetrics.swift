import Prometheus
import Synchronization

/// The proxy's Prometheus metrics, served on the admin listener's `/metrics`.
final class ProxyMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    private let latency: DurationHistogram
    private let revision = Mutex<(value: String, gauge: Gauge)?>(nil)

    init() {
        latency = registry.makeDurationHistogram(
            descriptor: MetricNameDescriptor(namespace: "mcp_proxy", metricName: "request_duration", unitName: "seconds", helpText: "Time until the response head: the proxy's decision, plus the upstream's when forwarded."),
            buckets: [.milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
                      .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2), .seconds(5)]
        )
    }

    /// One request, by the decision and reason of its audit record (`none` when no
    /// decision was made: metadata, 404).
    func request(decision: String, reason: String, duration: Duration) {
        registry.makeCounter(descriptor: MetricNameDescriptor(namespace: "mcp_proxy", metricName: "requests", unitName: "total", helpText: "Requests by decision and reason."), labels: [("decision", decision), ("reason", reason)]).increment()
        latency.record(duration)
    }

    /// List entries a filter removed from answers (observing: would have), by kind.
    func hidden(_ entries: [String], observed: Bool) {
        for (kind, count) in Dictionary(grouping: entries, by: { String($0.prefix { $0 != ":" }) }).mapValues(\.count) {
            registry.makeCounter(
                descriptor: MetricNameDescriptor(namespace: "mcp_proxy", metricName: "hidden_entries", unitName: "total", helpText: "List entries removed from answers for their caller (observe mode: that would have been), by kind."),
                labels: [("kind", kind), ("mode", observed ? "observed" : "removed")]
            ).increment(by: Int64(count))
        }
    }

    /// A filtered answer, or one event of a filtered stream, that could not be read and was not sent on.
    func unfilterable(_ count: Int = 1) {
        registry.makeCounter(descriptor: MetricNameDescriptor(namespace: "mcp_proxy", metricName: "unfilterable_answers", unitName: "total", helpText: "Answers (or SSE events) a filter could not read, never sent on.")).increment(by: Int64(count))
    }

    func jwksFetch(succeeded: Bool) {
        registry.makeCounter(descriptor: MetricNameDescriptor(namespace: "mcp_proxy", metricName: "jwks_fetches", unitName: "total", helpText: "JWKS fetches from the issuer."), labels: [("outcome", succeeded ? "success" : "failure")]).increment()
    }

    func reload(succeeded: Bool) {
        registry.makeCounter(descriptor: MetricNameDescriptor(namespace: "mcp_proxy", metricName: "config_reloads", unitName: "total", helpText: "Config reloads; a failed one keeps the last good config."), labels: [("outcome", succeeded ? "success" : "failure")]).increment()
    }

    func watchFailure() {
        registry.makeCounter(descriptor: MetricNameDescriptor(namespace: "mcp_proxy", metricName: "config_watch_failures", unitName: "total", helpText: "Failed list or watch calls for the proxy's ConfigMap; each is retried.")).increment()
    }

    /// `mcp_proxy_config_info{revision="…"} 1` for the config in force.
    func activeRevision(_ value: String) {
        revision.withLock { current in
            guard current?.value != value else { return }
            if let old = current?.gauge { registry.unregisterGauge(old) }
            let gauge = registry.makeGauge(descriptor: MetricNameDescriptor(namespace: "mcp_proxy", metricName: "config_info", unitName: "", helpText: "The revision of the config in force."), labels: [("revision", value)])
            gauge.set(to: 1)
            current = (value, gauge)
        }
    }

    func text() -> String { registry.emitToString() }
}
