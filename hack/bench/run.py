"""hack/bench.sh: every figure measured in one run on this machine, medians of several
rounds, printed as one table (Markdown, also written to .build/bench.md). See
docs/performance.md for the method and what limits each number."""
import json
import os
import pathlib
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

import requests

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "e2e"))
import peers  # noqa: E402
from stack import ROOT, VENV, free_port, start_nanoidp, wait_until  # noqa: E402

BIN = ROOT / ".build" / "release"
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "5"))
CONNECTIONS = 32
CALL = {"jsonrpc": "2.0", "id": 7, "method": "tools/call", "params": {"name": "get_forecast", "arguments": {"city": "Lyon"}}}
LIST = {"jsonrpc": "2.0", "id": 8, "method": "tools/list"}
HEADERS = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream", "MCP-Protocol-Version": "2025-11-25"}


class Processes:
    def __init__(self, directory):
        self.directory = directory
        self.items = []

    def spawn(self, name, args, **kwargs):
        log = open(self.directory / f"{name}.log", "w")
        process = subprocess.Popen([str(a) for a in args], stdout=kwargs.pop("stdout", log), stderr=log, **kwargs)
        self.items.append(process)
        return process

    def add(self, process):
        self.items.append(process)
        return process

    def stop(self):
        for process in self.items:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.items:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


def rss_mib(pid, field="VmRSS"):
    for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def wrk(url, script, connections=CONNECTIONS):
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{SECONDS}s", "--latency", "-s", str(script), url],
                         capture_output=True, text=True, timeout=SECONDS + 60).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))

    def percentile(name):
        value, unit = re.search(rf"\s{name}%\s+([\d.]+)(us|ms|s)", out).groups()
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": rps, "p50": percentile("50"), "p99": percentile("99"), "errors": int(non2xx.group(1)) if non2xx else 0}


def medians(samples):
    return {key: statistics.median(s[key] for s in samples) for key in samples[0]}


def render_config(directory, manifest, name):
    path = directory / f"{name}.yaml"
    path.write_text(manifest)
    out = subprocess.run([BIN / "mcp-runtime", "render", "-f", path, "--proxy-config", name], check=True, capture_output=True, text=True).stdout
    config = directory / f"{name}.json"
    config.write_text(out)
    return config


def start_proxy(procs, directory, name, config, upstream):
    port, admin = free_port(), free_port()
    process = procs.spawn(name, [BIN / "mcp-proxy", "--config", config, "--listen", f"127.0.0.1:{port}", "--admin-listen", f"127.0.0.1:{admin}",
                                 "--upstream", upstream], stdout=subprocess.DEVNULL)
    wait_until(lambda: requests.get(f"http://127.0.0.1:{admin}/readyz", timeout=1).ok, what=f"{name} ready")
    return port, process


def token(issuer, resource):
    response = requests.post(f"{issuer}/token", auth=("bench", "bench-secret"), timeout=10,
                             data={"grant_type": "client_credentials", "scope": "mcp:tools", "resource": resource})
    response.raise_for_status()
    return response.json()["access_token"]


# -- 1 and 4: the proxy ---------------------------------------------------------------------


def proxy_section(directory, procs, rows):
    upstream_port, nginx_port = free_port(), free_port()
    procs.add(peers.nginx(directory, "nginx-upstream", peers.upstream_block(upstream_port)))
    procs.add(peers.nginx(directory, "nginx-proxy", peers.proxy_block(nginx_port, upstream_port)))
    issuer = start_nanoidp(directory, procs.spawn, clients=[{"client_id": "bench", "client_secret": "bench-secret", "description": "load generator"}], token_minutes=120)
    upstream = f"http://127.0.0.1:{upstream_port}/mcp"

    none_port_hint = free_port()
    none_config = render_config(directory, f"""apiVersion: mcpruntime.org/v1alpha1
kind: MCPServer
metadata: {{name: docs, namespace: bench}}
spec:
  image: ghcr.io/acme/docs-mcp:1.0.0
  publicURL: http://127.0.0.1:{none_port_hint}/mcp
  auth: {{mode: none}}
  tools: [{{name: get_forecast, sideEffect: read}}]
""", "docs")
    none_port, none_process = start_proxy(procs, directory, "mcp-proxy-none", none_config, upstream)

    oauth_port = free_port()
    resource = f"http://127.0.0.1:{oauth_port}/mcp"
    oauth_config = render_config(directory, f"""apiVersion: mcpruntime.org/v1alpha1
kind: MCPServer
metadata: {{name: weather, namespace: bench}}
spec:
  image: ghcr.io/acme/weather-mcp:1.0.0
  publicURL: {resource}
  auth: {{mode: oauth, issuerURL: {issuer}, requiredScopes: [mcp:tools]}}
  tools: [{{name: get_forecast, sideEffect: read}}]
---
apiVersion: mcpruntime.org/v1alpha1
kind: MCPAccessGrant
metadata: {{name: bench, namespace: bench}}
spec:
  serverRef: {{name: weather}}
  subject: {{humanID: bench}}
  maxTrust: low
  allowedSideEffects: [read]
""", "weather")
    admin = free_port()
    oauth_process = procs.spawn("mcp-proxy-oauth", [BIN / "mcp-proxy", "--config", oauth_config, "--listen", f"127.0.0.1:{oauth_port}",
                                                    "--admin-listen", f"127.0.0.1:{admin}", "--upstream", upstream], stdout=subprocess.DEVNULL)
    wait_until(lambda: requests.get(f"http://127.0.0.1:{admin}/readyz", timeout=1).ok, what="mcp-proxy-oauth ready")
    bearer = token(issuer, resource)
    probe = requests.post(resource, json=CALL, headers={**HEADERS, "Authorization": f"Bearer {bearer}"}, timeout=5)
    if probe.status_code != 200:
        raise RuntimeError(f"the oauth proxy refused the benchmark token: {probe.status_code} {probe.text[:200]}")

    # Header mode with a grant: governance on tools/call, and tools/list filtered (the
    # upstream's /list answers 20 tools, of which the grant gives one).
    header_config = render_config(directory, f"""apiVersion: mcpruntime.org/v1alpha1
kind: MCPServer
metadata: {{name: alerts, namespace: bench}}
spec:
  image: ghcr.io/acme/alerts-mcp:1.0.0
  publicURL: http://127.0.0.1:{free_port()}/mcp
  auth: {{mode: header}}
  tools: [{{name: get_forecast, sideEffect: read}}]
---
apiVersion: mcpruntime.org/v1alpha1
kind: MCPAccessGrant
metadata: {{name: bench, namespace: bench}}
spec:
  serverRef: {{name: alerts}}
  subject: {{humanID: bench}}
  maxTrust: low
  allowedSideEffects: [read]
""", "alerts")
    header_port, _ = start_proxy(procs, directory, "mcp-proxy-header", header_config, upstream)
    list_port, _ = start_proxy(procs, directory, "mcp-proxy-header-list", header_config, f"http://127.0.0.1:{upstream_port}/list")
    identity = {**HEADERS, "X-MCP-Human-ID": "bench"}
    listed = requests.post(f"http://127.0.0.1:{list_port}/mcp", json=LIST, headers=identity, timeout=5).json()
    if [tool["name"] for tool in listed["result"]["tools"]] != ["get_forecast"]:
        raise RuntimeError(f"the header proxy did not filter tools/list: {listed}")

    sdk_port = free_port()
    sdk_resource = f"http://127.0.0.1:{sdk_port}/mcp"
    procs.add(peers.sdk_server(directory, sdk_port, issuer, sdk_resource, f"{issuer}/.well-known/jwks.json"))
    sdk_bearer = token(issuer, sdk_resource)
    wait_until(lambda: requests.post(sdk_resource, json=CALL, headers={**HEADERS, "Authorization": f"Bearer {sdk_bearer}"}, timeout=5).status_code == 200,
               what="the MCP SDK server answering an authorized tools/call")

    plain = peers.wrk_script(directory, "plain", json.dumps(CALL), HEADERS)
    targets = [
        ("direct to the upstream (nginx, fixed answer)", f"http://127.0.0.1:{upstream_port}/mcp", plain),
        ("nginx reverse proxy, no auth", f"http://127.0.0.1:{nginx_port}/mcp", plain),
        ("mcp-proxy, none mode", f"http://127.0.0.1:{none_port}/mcp", plain),
        ("mcp-proxy, oauth mode: JWT + scopes + governance on tools/call", resource,
         peers.wrk_script(directory, "oauth", json.dumps(CALL), {**HEADERS, "Authorization": f"Bearer {bearer}"})),
        ("mcp-proxy, header mode: governance on tools/call", f"http://127.0.0.1:{header_port}/mcp", peers.wrk_script(directory, "header", json.dumps(CALL), identity)),
        ("mcp-proxy, header mode: tools/list of 20 tools filtered to the 1 granted", f"http://127.0.0.1:{list_port}/mcp",
         peers.wrk_script(directory, "list", json.dumps(LIST), identity)),
        ("nginx reverse proxy, the same 20-tool tools/list unfiltered", f"http://127.0.0.1:{nginx_port}/list", peers.wrk_script(directory, "nginx-list", json.dumps(LIST), HEADERS)),
        ("MCP Python SDK server with its bearer auth (JWT via PyJWT)", sdk_resource,
         peers.wrk_script(directory, "sdk", json.dumps(CALL), {**HEADERS, "Authorization": f"Bearer {sdk_bearer}"})),
    ]
    results = {}
    for _ in range(ROUNDS):  # interleaved rounds: drift on a shared machine hits every target alike
        for name, url, script in targets:
            results.setdefault(name, []).append(wrk(url, script))
    direct, nginx = medians(results[targets[0][0]]), medians(results[targets[1][0]])
    for name, _, _ in targets:
        m = medians(results[name])
        rows.append(("proxy", name, f"{m['rps']:,.0f} req/s", f"p50 {m['p50']:.2f} ms, p99 {m['p99']:.2f} ms",
                     f"{m['rps'] / nginx['rps']:.2f}× nginx, {m['rps'] / direct['rps']:.2f}× direct, +{m['p50'] - direct['p50']:.2f} ms p50"
                     + (f", {m['errors']} non-2xx" if m["errors"] else "")))

    # 4. Memory and streaming.
    idle = rss_mib(none_process.pid)
    peak = [idle]
    stop = threading.Event()

    def sample():
        while not stop.is_set():
            peak.append(rss_mib(none_process.pid))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample)
    sampler.start()
    loaded = wrk(f"http://127.0.0.1:{none_port}/mcp", plain, connections=256)
    stop.set()
    sampler.join()
    rows.append(("memory", "mcp-proxy RSS idle / with 256 connections", f"{idle:.1f} MiB / {max(peak):.1f} MiB",
                 f"{loaded['rps']:,.0f} req/s at 256 connections", f"oauth proxy idle RSS {rss_mib(oauth_process.pid):.1f} MiB"))

    sse_port = free_port()
    procs.add(peers.sse_server(directory, sse_port))
    wait_until(lambda: port_open(sse_port), what="the SSE upstream")
    sse_proxy_port, _ = start_proxy(procs, directory, "mcp-proxy-sse", none_config, f"http://127.0.0.1:{sse_port}/mcp")
    sse_filter_port, _ = start_proxy(procs, directory, "mcp-proxy-sse-filter", header_config, f"http://127.0.0.1:{sse_port}/mcp")
    direct_ms = first_event(f"http://127.0.0.1:{sse_port}/mcp")
    proxied_ms = first_event(f"http://127.0.0.1:{sse_proxy_port}/mcp")
    filtered_ms = first_event(f"http://127.0.0.1:{sse_filter_port}/mcp", message=LIST, headers=identity)
    rows.append(("streaming", "SSE first event, direct / through mcp-proxy / tools/list filtered", f"{direct_ms:.2f} ms / {proxied_ms:.2f} ms / {filtered_ms:.2f} ms",
                 "median of 50 requests", f"+{proxied_ms - direct_ms:.2f} ms / +{filtered_ms - direct_ms:.2f} ms"))


def port_open(port):
    import socket
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def first_event(url, samples=50, message=CALL, headers=HEADERS):
    """Time from sending the request to reading the first SSE event line."""
    import http.client
    parsed = requests.utils.urlparse(url)
    times = []
    for _ in range(samples):
        connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=5)
        started = time.perf_counter()
        connection.request("POST", parsed.path, body=json.dumps(message), headers=headers)
        response = connection.getresponse()
        while not response.fp.readline().startswith(b"data:"):
            pass
        times.append((time.perf_counter() - started) * 1000)
        connection.close()
    return statistics.median(times)


# -- 2: token verification ------------------------------------------------------------------


def verification_section(rows):
    speed = subprocess.run(["openssl", "speed", "-seconds", "3", "rsa2048", "ecdsap256"], capture_output=True, text=True).stdout
    rsa = float(re.search(r"rsa\s+2048 bits\s+[\d.]+s\s+[\d.]+s\s+[\d.]+\s+([\d.]+)", speed).group(1))
    ec = float(re.search(r"256 bits ecdsa \(nistp256\)\s+[\d.]+s\s+[\d.]+s\s+[\d.]+\s+([\d.]+)", speed).group(1))
    for algorithm, limit in (("RS256", rsa), ("ES256", ec)):
        # mcp-bench prints two rates: tokens not seen before, then one repeated token.
        rounds = [subprocess.run([BIN / "mcp-bench", "verify", algorithm, "3"], check=True, capture_output=True, text=True).stdout.split()
                  for _ in range(ROUNDS)]
        unseen, repeated = (statistics.median(float(r[i]) for r in rounds) for i in (0, 1))
        rows.append(("verification", f"{algorithm} JWT verification, one core", f"{unseen:,.0f} /s",
                     f"openssl speed verify: {limit:,.0f} /s", f"{unseen / limit:.2f}× openssl"))
        rows.append(("verification", f"{algorithm}, the same token again (remembered; claims re-checked)", f"{repeated:,.0f} /s",
                     f"openssl speed verify: {limit:,.0f} /s", f"{repeated / limit:.2f}× openssl"))


# -- 3: the operator ------------------------------------------------------------------------


def operator_section(directory, count, rows):
    sys.path.insert(0, str(ROOT / "Tests" / "integration"))
    from kube_emulator import RunningEmulator

    procs = Processes(directory)
    emulator = RunningEmulator(free_port()).start()
    try:
        kubeconfig = emulator.write_kubeconfig(directory / f"kubeconfig-{count}")
        admin = free_port()
        operator = procs.spawn(f"operator-{count}", [BIN / "mcp-runtime", "operator", "--kubeconfig", kubeconfig, "--admin-listen", f"127.0.0.1:{admin}"])
        wait_until(lambda: requests.get(f"http://127.0.0.1:{admin}/readyz", timeout=1).ok, what="the operator ready")
        api = requests.Session()
        group = "/apis/mcpruntime.org/v1alpha1/namespaces/bench"
        started = time.monotonic()
        for i in range(count):
            api.post(f"{emulator.url}{group}/mcpservers", json={
                "apiVersion": "mcpruntime.org/v1alpha1", "kind": "MCPServer", "metadata": {"name": f"s{i}", "namespace": "bench"},
                "spec": {"image": "ghcr.io/acme/mcp:1.0.0", "publicURL": f"https://mcp.example.com/s{i}/mcp",
                         "auth": {"mode": "header"}, "tools": [{"name": "lookup", "sideEffect": "read"}]}}).raise_for_status()
            api.post(f"{emulator.url}{group}/mcpaccessgrants", json={
                "apiVersion": "mcpruntime.org/v1alpha1", "kind": "MCPAccessGrant", "metadata": {"name": f"g{i}", "namespace": "bench"},
                "spec": {"serverRef": {"name": f"s{i}"}, "subject": {"humanID": "alice"}, "allowedSideEffects": ["read"]}}).raise_for_status()
        created = time.monotonic() - started

        def converged():
            servers = api.get(f"{emulator.url}{group}/mcpservers").json()["items"]
            grants = api.get(f"{emulator.url}{group}/mcpaccessgrants").json()["items"]
            return (sum(1 for s in servers if (s.get("status") or {}).get("configRevision")) == count
                    and sum(1 for g in grants if (g.get("status") or {}).get("phase") == "Bound") == count)

        # Polled once a second: listing thousands of objects is work for the emulator too.
        wait_until(converged, timeout=600, what=f"{count} servers converged", interval=1)
        elapsed = time.monotonic() - started
        p50, p99 = histogram_quantiles(requests.get(f"http://127.0.0.1:{admin}/metrics", timeout=5).text, "mcp_runtime_reconcile_duration_seconds", (0.5, 0.99))
        rows.append(("operator", f"{count} MCPServers + {count} grants against kmock", f"converged in {elapsed:.1f} s",
                     f"reconcile p50 ≤ {p50 * 1000:.0f} ms, p99 ≤ {p99 * 1000:.0f} ms (histogram bounds)",
                     f"peak RSS {rss_mib(operator.pid, 'VmHWM'):.1f} MiB; creating them took {created:.1f} s"))
    finally:
        procs.stop()
        emulator.stop()


def histogram_quantiles(text, name, quantiles):
    buckets = []
    for line in text.splitlines():
        match = re.match(rf'{name}_bucket{{le="([^"]+)"}} ([\d.]+)', line)
        if match:
            buckets.append((float("inf") if match.group(1) == "+Inf" else float(match.group(1)), float(match.group(2))))
    total = buckets[-1][1]
    return [next(bound for bound, seen in buckets if seen >= q * total) for q in quantiles]


def revocation_section(directory, rows):
    """A session revoked through the API until the proxy (following its ConfigMap) refuses."""
    sys.path.insert(0, str(ROOT / "Tests" / "integration"))
    from kube_emulator import RunningEmulator

    procs = Processes(directory)
    emulator = RunningEmulator(free_port()).start()
    try:
        kubeconfig = emulator.write_kubeconfig(directory / "kubeconfig-revocation")
        admin = free_port()
        procs.spawn("operator-revocation", [BIN / "mcp-runtime", "operator", "--kubeconfig", kubeconfig, "--admin-listen", f"127.0.0.1:{admin}"])
        wait_until(lambda: requests.get(f"http://127.0.0.1:{admin}/readyz", timeout=1).ok, what="the operator ready")
        group = f"{emulator.url}/apis/mcpruntime.org/v1alpha1/namespaces/bench"
        requests.post(f"{group}/mcpservers", json={"apiVersion": "mcpruntime.org/v1alpha1", "kind": "MCPServer", "metadata": {"name": "tools", "namespace": "bench"},
                                                   "spec": {"image": "x/y:1", "publicURL": "http://127.0.0.1:9/mcp", "auth": {"mode": "header"},
                                                            "tools": [{"name": "get_forecast", "sideEffect": "read"}]}}).raise_for_status()
        requests.post(f"{group}/mcpaccessgrants", json={"apiVersion": "mcpruntime.org/v1alpha1", "kind": "MCPAccessGrant", "metadata": {"name": "alice", "namespace": "bench"},
                                                        "spec": {"serverRef": {"name": "tools"}, "subject": {"humanID": "alice"}, "maxTrust": "low", "allowedSideEffects": ["read"]}}).raise_for_status()
        requests.post(f"{group}/mcpagentsessions", json={"apiVersion": "mcpruntime.org/v1alpha1", "kind": "MCPAgentSession", "metadata": {"name": "s-1", "namespace": "bench"},
                                                         "spec": {"serverRef": {"name": "tools"}, "subject": {"humanID": "alice", "agentID": "bot"}}}).raise_for_status()

        def config():
            item = requests.get(f"{emulator.url}/api/v1/namespaces/bench/configmaps/tools-proxy-config", timeout=5)
            return json.loads(item.json()["data"]["config.json"]) if item.ok else None

        boot = wait_until(lambda: (c := config()) and c["sessions"] and c, what="the rendered config")
        (directory / "tools.json").write_text(json.dumps(boot))
        upstream_port = free_port()
        procs.add(peers.nginx(directory, "nginx-revocation-upstream", peers.upstream_block(upstream_port)))
        port, padmin = free_port(), free_port()
        procs.spawn("mcp-proxy-revocation", [BIN / "mcp-proxy", "--config", directory / "tools.json", "--listen", f"127.0.0.1:{port}",
                                             "--admin-listen", f"127.0.0.1:{padmin}", "--upstream", f"http://127.0.0.1:{upstream_port}/mcp",
                                             "--config-map", "bench/tools-proxy-config", "--kubeconfig", kubeconfig], stdout=subprocess.DEVNULL)
        wait_until(lambda: requests.get(f"http://127.0.0.1:{padmin}/readyz", timeout=1).ok, what="the proxy ready")
        headers = {**HEADERS, "X-MCP-Human-ID": "alice", "X-MCP-Agent-ID": "bot", "X-MCP-Agent-Session": "s-1"}
        session = requests.Session()

        def status():
            response = session.post(f"http://127.0.0.1:{port}/mcp", json=CALL, headers=headers, timeout=5)
            return response.status_code, response.text[:160]

        first = status()
        if first[0] != 200:
            raise RuntimeError(f"the proxy refused the session before any change: {first}")
        latencies = []
        for revoked in [True, False] * 5:
            wait_until(lambda: status()[0] == (200 if revoked else 401), what="the state before the change")
            started = time.monotonic()
            session.patch(f"{group}/mcpagentsessions/s-1", data=json.dumps({"spec": {"revoked": revoked}}),
                          headers={"Content-Type": "application/merge-patch+json"}).raise_for_status()
            wait_until(lambda: status()[0] == (401 if revoked else 200), timeout=10, what="the change enforced")
            if revoked:
                latencies.append((time.monotonic() - started) * 1000)
        rows.append(("revocation", "session revoked via the API until the proxy refuses", f"{statistics.median(latencies):.0f} ms",
                     f"median of {len(latencies)}, max {max(latencies):.0f} ms", "target 2000 ms"))
    finally:
        procs.stop()
        emulator.stop()


def main():
    directory = pathlib.Path(tempfile.mkdtemp(prefix="mcp-runtime-bench-"))
    rows = []
    procs = Processes(directory)
    sections = os.environ.get("BENCH_SECTIONS", "proxy,verification,operator,revocation").split(",")
    try:
        if "proxy" in sections:
            proxy_section(directory, procs, rows)
            procs.stop()
        if "verification" in sections:
            verification_section(rows)
        if "operator" in sections:
            for count in [int(n) for n in os.environ.get("BENCH_SERVERS", "100,1000").split(",")]:
                operator_section(directory, count, rows)
        if "revocation" in sections:
            revocation_section(directory, rows)
    finally:
        procs.stop()
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "unknown CPU")
    table = [f"Machine: {cpu}, {os.cpu_count()} cores; {ROUNDS} rounds of {SECONDS} s, medians; wrk -t2 -c{CONNECTIONS}.", "",
             "| area | what | result | detail | ratio |", "|---|---|---|---|---|"]
    table += [f"| {' | '.join(row)} |" for row in rows]
    text = "\n".join(table)
    print(text)
    (ROOT / ".build" / "bench.md").write_text(text + "\n")
    print(f"\n(logs: {directory})")


if __name__ == "__main__":
    main()
