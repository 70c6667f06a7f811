"""Rate limits over real sockets: a header-mode mcp-proxy, rendered by `mcp-runtime render`
from a server and grants with `rateLimits`, in front of an upstream that records what it
receives. A caller over its limit gets 429 with Retry-After and a JSON-RPC error with its
request's id, and the upstream never sees that request; another caller is unaffected; a
per-tool limit counts only calls of its tool; audit lines and metrics name the limit."""
import json
import re
import time

import pytest
import requests

from conftest import Proxy
from header_mode import Audit, Upstream

MANIFEST = """
apiVersion: mcpruntime.org/v1alpha1
kind: MCPServer
metadata: {{name: weather, namespace: team-a}}
spec:
  image: ghcr.io/acme/weather-mcp:1.0.0
  publicURL: http://127.0.0.1:{proxy_port}/mcp
  auth: {{mode: header}}
  tools:
    - {{name: get_forecast, sideEffect: read}}
    - {{name: set_alert, sideEffect: write}}
  rateLimits:
    perHuman: {{requests: 3, intervalSeconds: 3600}}
    tools:
      - {{name: set_alert, requests: 1, intervalSeconds: 3600}}
---
apiVersion: mcpruntime.org/v1alpha1
kind: MCPAccessGrant
metadata: {{name: everyone, namespace: team-a}}
spec:
  serverRef: {{name: weather}}
  subject: {{teamID: team-a}}
  maxTrust: low
  allowedSideEffects: [read, write]
  disabled: {disabled}
---
apiVersion: mcpruntime.org/v1alpha1
kind: MCPAccessGrant
metadata: {{name: ops, namespace: team-a}}
spec:
  serverRef: {{name: weather}}
  subject: {{humanID: olga}}
  maxTrust: low
  allowedSideEffects: [read, write]
  rateLimits:
    perHuman: {{requests: 100, intervalSeconds: 3600}}
    tools:
      - {{name: set_alert, requests: 3, intervalSeconds: 3600}}
"""


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    upstream = Upstream()
    proxy = Proxy(tmp_path_factory.mktemp("rate-limits"), "unused", upstream.port, manifest=MANIFEST)
    try:
        yield upstream, proxy
    finally:
        proxy.stop()
        upstream.stop()


@pytest.fixture
def upstream(stack):
    stack[0].clear()
    return stack[0]


@pytest.fixture
def proxy(stack):
    return stack[1]


def post(proxy, human, message):
    headers = {"Content-Type": "application/json", "X-MCP-Human-ID": human, "X-MCP-Team-ID": "team-a"}
    return requests.post(proxy.url, data=json.dumps(message), headers=headers, timeout=10)


def tools_list(id):
    return {"jsonrpc": "2.0", "id": id, "method": "tools/list"}


def call(tool, id):
    return {"jsonrpc": "2.0", "id": id, "method": "tools/call", "params": {"name": tool, "arguments": {}}}


def seen_ids(upstream):
    return [json.loads(r["body"])["id"] for r in upstream.seen]


def metric(proxy, reason):
    text = requests.get(f"http://127.0.0.1:{proxy.admin}/metrics", timeout=5).text
    match = re.search(r'mcp_proxy_requests_total\{decision="deny",reason="%s"\} (\d+)' % reason, text)
    return int(match.group(1)) if match else 0


def eventually(condition, what, timeout=10):
    """Metrics are counted once the answer is written: polled, with a deadline."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def assert_limited(answer, id, reason, limit):
    assert answer.status_code == 429, answer.text
    retry = int(answer.headers["Retry-After"])
    assert 1 <= retry <= 3600
    body = answer.json()
    assert body["jsonrpc"] == "2.0" and body["id"] == id
    assert body["error"]["code"] == -32001
    assert body["error"]["data"]["reason"] == reason and body["error"]["data"]["limit"] == limit
    assert body["error"]["data"]["retryAfterSeconds"] == retry


def test_a_caller_over_its_limit_gets_429_and_another_caller_is_unaffected(proxy, upstream):
    audit = Audit(proxy)
    for id in (1, 2, 3):
        assert post(proxy, "alice", tools_list(id)).status_code == 200
        assert audit.next()["decision"] == "allow"
    before = metric(proxy, "rate_limited_human")

    limited = post(proxy, "alice", tools_list(4))
    assert_limited(limited, 4, "rate_limited_human", "perHuman")
    # 3 per hour: the next token is about 1200 s away.
    assert 1100 <= int(limited.headers["Retry-After"]) <= 1200
    record = audit.next()
    assert (record["decision"], record["reason"], record["status"], record["human"], record["rateLimit"]) == ("deny", "rate_limited_human", 429, "alice", "perHuman")
    assert "rateLimitGrant" not in record

    # bob has a bucket of his own.
    for id in (10, 11, 12):
        assert post(proxy, "bob", tools_list(id)).status_code == 200
    # The limited request never reached the upstream; everything else did.
    assert seen_ids(upstream) == [1, 2, 3, 10, 11, 12]
    assert all(r["headers"]["x-mcp-human-id"] == ("alice" if i < 3 else "bob") for i, r in enumerate(upstream.seen))
    eventually(lambda: metric(proxy, "rate_limited_human") == before + 1, "the rate_limited_human counter")

    # Still limited: nothing was taken from an empty bucket, nothing forwarded.
    assert_limited(post(proxy, "alice", call("get_forecast", 5)), 5, "rate_limited_human", "perHuman")
    assert seen_ids(upstream) == [1, 2, 3, 10, 11, 12]


def test_a_tool_limit_counts_only_calls_of_its_tool_and_a_grant_raises_it(proxy, upstream):
    audit = Audit(proxy)
    assert post(proxy, "carol", call("set_alert", 1)).status_code == 200
    assert audit.next()["reason"] == "allowed"
    limited = post(proxy, "carol", call("set_alert", 2))
    assert_limited(limited, 2, "rate_limited_tool", "tools/set_alert")
    record = audit.next()
    assert (record["reason"], record["tool"], record["rateLimit"]) == ("rate_limited_tool", "set_alert", "tools/set_alert")
    # Another tool of the same caller, and the same tool of another caller, go through.
    assert post(proxy, "carol", call("get_forecast", 3)).status_code == 200
    assert post(proxy, "dave", call("set_alert", 4)).status_code == 200
    assert seen_ids(upstream) == [1, 3, 4]
    eventually(lambda: metric(proxy, "rate_limited_tool") >= 1, "the rate_limited_tool counter")

    # olga's grant allows her a hundred requests and three set_alert calls an hour; the
    # fourth call is limited by it.
    for id in (5, 6, 7):
        assert post(proxy, "olga", call("set_alert", id)).status_code == 200
    audit = Audit(proxy)
    assert_limited(post(proxy, "olga", call("set_alert", 8)), 8, "rate_limited_tool", "tools/set_alert")
    record = audit.next()
    assert (record["rateLimit"], record["rateLimitGrant"]) == ("tools/set_alert", "team-a/ops")
    assert seen_ids(upstream) == [1, 3, 4, 5, 6, 7]


def test_the_rendered_config_carries_the_share_and_the_declared_limit(proxy):
    config = json.loads(proxy.config.read_text())
    assert config["rateLimits"]["replicas"] == 1
    assert config["rateLimits"]["perHuman"] == {"requests": 3, "intervalSeconds": 3600, "burst": 3, "declaredRequests": 3, "declaredBurst": 3}
    ops = next(g for g in config["grants"] if g["name"] == "ops")
    assert ops["rateLimits"]["tools"][0]["name"] == "set_alert" and ops["rateLimits"]["tools"][0]["requests"] == 3
