import KubeRuntime
import Prometheus

/// The operator's Prometheus metrics, served on `/metrics`: reconciles by result and
/// their durations, queue depth, watch restarts by kind and cause, and leadership.
final class OperatorMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    private let duration: DurationHistogram
    private let depth: Gauge
    private let leader: Gauge

    init() {
        duration = registry.makeDurationHistogram(
            descriptor: MetricNameDescriptor(namespace: "mcp_runtime", metricName: "reconcile_duration", unitName: "seconds", helpText: "Time one MCPServer reconcile took."),
            buckets: [.milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
                      .milliseconds(500), .seconds(1), .seconds(2), .seconds(5), .seconds(10), .seconds(30)]
        )
        depth = registry.makeGauge(descriptor: MetricNameDescriptor(namespace: "mcp_runtime", metricName: "queue_depth", unitName: "", helpText: "Keys waiting in the work queue."))
        leader = registry.makeGauge(descriptor: MetricNameDescriptor(namespace: "mcp_runtime", metricName: "leader", unitName: "", helpText: "1 while this instance is the leader (or runs without election)."))
    }

    func reconciled(_ duration: Duration, failed: Bool) {
        registry.makeCounter(descriptor: MetricNameDescriptor(namespace: "mcp_runtime", metricName: "reconciles", unitName: "total", helpText: "Reconciles by result."), labels: [("result", failed ? "error" : "success")]).increment()
        self.duration.record(duration)
    }

    func restarted(kind: String, _ restart: Restart) {
        let cause = switch restart {
        case .resumed: "resumed"
        case .relisted: "relisted"
        case .failed: "failed"
        }
        registry.makeCounter(descriptor: MetricNameDescriptor(namespace: "mcp_runtime", metricName: "watch_restarts", unitName: "total", helpText: "Watch restarts: resumed after the server ended it, relisted after 410 Gone, or failed and retried."), labels: [("kind", kind), ("cause", cause)]).increment()
    }

    func queueDepth(_ value: Int) { depth.set(to: Double(value)) }
    func leading(_ value: Bool) { leader.set(to: value ? 1 : 0) }

    func text() -> String { registry.emitToString() }
}
