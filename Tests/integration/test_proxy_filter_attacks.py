"""Attacks on what a caller sees, found by a review of the list filter and resource rules:
ways a header-mode mcp-proxy let a caller see or use what its grants do not give it. Each
test asserts the secure behaviour and failed against the proxy before its fix.

- (A list answer sent down another request's stream, which the SDK server does for a
  request with the text of an in-flight request's id: tested deterministically in
  test_proxy_list_filtering.py.)
- The SDK decodes percent-encodings in resource template parameters: a deny rule written
  with the literal URI is passed by the percent-encoded one.
- A scripted upstream's SSE events that the SDK client's parser (httpx2 `EventSource`)
  reads as `message` events while the filter does not: an empty `event:` field, a
  repeated `event` field whose last value is `message`; and an event stream in a charset
  other than UTF-8 (the client decodes it by its `charset`, the filter reads bytes).
- `subscriptions/listen` (protocol 2026-07-28) subscribes to resources by URI without
  `resources/subscribe`, which is the only subscription the proxy governs.
- `completion/complete` completes the arguments of a prompt `prompts/get` refuses.
"""
import contextlib
import json
import pathlib
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx2
import pytest
from mcp.types import jsonrpc_message_adapter

from conftest import VENV, Proxy, free_port, wait_for
from test_proxy_list_filtering import ALICE, catalog

HERE = pathlib.Path(__file__).resolve().parent

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
    - {{name: set_alert, sideEffect: write, requiredTrust: medium}}
    - {{name: delete_alerts, sideEffect: destructive, requiredTrust: high}}
---
apiVersion: mcpruntime.org/v1alpha1
kind: MCPAccessGrant
metadata: {{name: alice, namespace: team-a}}
spec:
  serverRef: {{name: weather}}
  subject: {{humanID: alice}}
  maxTrust: medium
  allowedSideEffects: [read, write]
  disabled: {disabled}
  resourceRules:
    - {{uriPrefix: "weather://public/", decision: allow}}
    - {{uriPrefix: "weather://public/city/ops@hq", decision: deny}}
    - {{uriPrefix: "weather://public/city/Zürich", decision: deny}}
  promptRules:
    - {{name: forecast_summary, decision: allow}}
"""

ACCEPT = {"Accept": "application/json, text/event-stream"}
HIDDEN_TOOLS = {"debug_dump", "delete_alerts"}


@contextlib.contextmanager
def stack(tmp_path, mode):
    with catalog(mode) as port:
        proxy = Proxy(tmp_path, "unused", port, manifest=MANIFEST)
        try:
            yield proxy
        finally:
            proxy.stop()


def open_session(url, headers=ALICE):
    with httpx2.Client(headers={**headers, **ACCEPT}, timeout=10) as http:
        answer = http.post(url, json={"jsonrpc": "2.0", "id": 0, "method": "initialize",
                                      "params": {"protocolVersion": "2025-11-25", "capabilities": {},
                                                 "clientInfo": {"name": "attack", "version": "1"}}})
        assert answer.status_code == 200, answer.text
        session = answer.headers["mcp-session-id"]
        http.post(url, json={"jsonrpc": "2.0", "method": "notifications/initialized"}, headers={"Mcp-Session-Id": session})
        return session


def tool_names(text):
    """Tool names in an answer, JSON or SSE, as the SDK client reads them."""
    names = set()
    for payload in [text] + [line[5:].strip() for line in text.splitlines() if line.startswith("data:")]:
        try:
            message = json.loads(payload)
        except ValueError:
            continue
        if isinstance(message, dict) and isinstance(message.get("result"), dict):
            names |= {tool.get("name") for tool in message["result"].get("tools", []) if isinstance(tool, dict)}
    return names


# --- 1. A list answer delivered to another request with the same id: deterministic
# in test_proxy_list_filtering.py (test_a_list_answer_sent_down_another_requests_stream_is_filtered_too).


# --- 2. Percent-encoded template parameters pass a deny rule ------------------------


@pytest.mark.parametrize("literal,encoded", [
    ("weather://public/city/ops@hq", "weather://public/city/ops%40hq"),
    ("weather://public/city/Zürich", "weather://public/city/Z%C3%BCrich"),
])
def test_a_deny_rule_holds_for_a_percent_encoded_uri_of_the_same_resource(tmp_path, literal, encoded):
    with stack(tmp_path, "json") as proxy:
        session = open_session(proxy.url)
        with httpx2.Client(headers={**ALICE, **ACCEPT, "Mcp-Session-Id": session}, timeout=10) as http:
            denied = http.post(proxy.url, json={"jsonrpc": "2.0", "id": 1, "method": "resources/read", "params": {"uri": literal}})
            assert denied.status_code == 403, denied.text
            answer = http.post(proxy.url, json={"jsonrpc": "2.0", "id": 2, "method": "resources/read", "params": {"uri": encoded}})
        name = literal.rsplit("/", 1)[1]
        assert f"weather of {name}" not in answer.text, f"{encoded} read the resource {literal} the grant denies: {answer.text}"


# --- 3. SSE events the client reads as messages and the filter does not -------------

LISTING = {"jsonrpc": "2.0", "id": 8, "result": {"tools": [{"name": "get_forecast", "inputSchema": {"type": "object"}},
                                                            {"name": "debug_dump", "inputSchema": {"type": "object"}}]}}


class Scripted(BaseHTTPRequestHandler):
    """Answers every POST with `body` as `content_type`."""

    protocol_version = "HTTP/1.1"
    body = b""
    content_type = "text/event-stream"

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(200)
        self.send_header("Content-Type", type(self).content_type)
        self.send_header("Content-Length", str(len(type(self).body)))
        self.end_headers()
        self.wfile.write(type(self).body)

    def log_message(self, *args):
        pass


@contextlib.contextmanager
def scripted(tmp_path, body, content_type="text/event-stream"):
    Scripted.body, Scripted.content_type = body, content_type
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Scripted)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    proxy = Proxy(tmp_path, "unused", server.server_address[1], manifest=MANIFEST)
    try:
        yield proxy
    finally:
        proxy.stop()
        server.shutdown()
        server.server_close()


def client_reads(url):
    """The tools/list answer as the MCP Python SDK client reads an SSE answer: httpx2's
    `EventSource` (the charset of Content-Type decodes it), `message` events only, each
    data validated as a JSON-RPC message."""
    names = set()
    with httpx2.Client(headers={**ALICE, **ACCEPT}, timeout=10) as http:
        with http.stream("POST", url, json={"jsonrpc": "2.0", "id": 8, "method": "tools/list"}) as response:
            assert response.status_code == 200, response.read()
            for sse in httpx2.EventSource(response):
                if sse.event == "message" and sse.data:
                    message = jsonrpc_message_adapter.validate_json(sse.data, by_name=False)
                    names |= {tool["name"] for tool in message.model_dump()["result"]["tools"]}
    return names


@pytest.mark.parametrize("framing", [
    pytest.param("event:\ndata: {data}\n\n", id="empty-event-field"),
    pytest.param("event\ndata: {data}\n\n", id="bare-event-line"),
    pytest.param("event: ping\nevent: message\ndata: {data}\n\n", id="repeated-event-field"),
])
def test_an_sse_event_the_client_reads_as_a_message_is_filtered(tmp_path, framing):
    body = framing.replace("{data}", json.dumps(LISTING)).encode()
    with scripted(tmp_path, body) as proxy:
        assert "debug_dump" not in client_reads(proxy.url)


@pytest.mark.parametrize("charset", ["utf-16le", "utf-16"])
def test_an_event_stream_in_another_charset_is_filtered_or_refused(tmp_path, charset):
    body = ("id: 1\nevent: message\ndata: " + json.dumps(LISTING) + "\n\n").encode(charset)
    with scripted(tmp_path, body, content_type=f"text/event-stream; charset={charset}") as proxy:
        try:
            seen = client_reads(proxy.url)
        except AssertionError:
            return  # refused (502): the proxy would not vouch for it
        assert "debug_dump" not in seen, f"the client decoded {charset} and read the hidden tool: {seen}"


# --- 4. subscriptions/listen subscribes to a resource resources/subscribe may not -----

MODERN_META = {"io.modelcontextprotocol/protocolVersion": "2026-07-28",
               "io.modelcontextprotocol/clientInfo": {"name": "attack", "version": "1"},
               "io.modelcontextprotocol/clientCapabilities": {}}
MODERN = {**ALICE, **ACCEPT, "MCP-Protocol-Version": "2026-07-28"}


def test_a_resource_subscription_the_grant_refuses_is_refused_in_subscriptions_listen(tmp_path):
    port = free_port()
    server = subprocess.Popen([VENV / "python", HERE / "attack_listen_server.py", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    proxy = None
    try:
        wait_for(f"http://127.0.0.1:{port}/mcp")
        proxy = Proxy(tmp_path, "unused", port, manifest=MANIFEST)
        with httpx2.Client(timeout=10) as http:
            # The 2025-11-25 way is governed: alice's grant gives weather://public/ only.
            refused = http.post(proxy.url, headers={**MODERN, "Mcp-Method": "resources/subscribe"}, json={
                "jsonrpc": "2.0", "id": 1, "method": "resources/subscribe", "params": {"_meta": MODERN_META, "uri": "weather://internal/ops"}})
            assert refused.status_code == 403 and refused.json()["error"]["data"]["reason"] == "resource_not_granted", refused.text
        seen = []
        listening = threading.Event()

        def listen():
            with httpx2.Client(timeout=httpx2.Timeout(10, read=4)) as http:
                message = {"jsonrpc": "2.0", "id": 2, "method": "subscriptions/listen",
                           "params": {"_meta": MODERN_META, "notifications": {"resourceSubscriptions": ["weather://internal/ops"]}}}
                with http.stream("POST", proxy.url, headers={**MODERN, "Mcp-Method": "subscriptions/listen"}, json=message) as answer:
                    seen.append(f"status {answer.status_code}")
                    try:
                        for line in answer.iter_lines():
                            seen.append(line)
                            listening.set()
                    except httpx2.ReadTimeout:
                        pass
            listening.set()

        thread = threading.Thread(target=listen)
        thread.start()
        listening.wait(timeout=10)
        with httpx2.Client(timeout=10) as http:
            call = http.post(proxy.url, headers={**MODERN, "Mcp-Method": "tools/call", "Mcp-Name": "get_forecast"}, json={
                "jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {"_meta": MODERN_META, "name": "get_forecast", "arguments": {"city": "Lyon"}}})
            assert call.status_code == 200, call.text
        thread.join(timeout=15)
        updates = [line for line in seen if "notifications/resources/updated" in line]
        assert not updates, f"alice, refused resources/subscribe of weather://internal/ops, gets its updates: {seen}"
    finally:
        if proxy:
            proxy.stop()
        server.terminate()
        try:
            server.wait(timeout=5)
        except subprocess.TimeoutExpired:
            server.kill()


# --- 5. completion/complete uses a prompt prompts/get may not -----------------------


def test_completion_of_a_prompt_the_grant_refuses_is_refused(tmp_path):
    port = free_port()
    server = subprocess.Popen([VENV / "python", HERE / "attack_listen_server.py", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    proxy = None
    try:
        wait_for(f"http://127.0.0.1:{port}/mcp")
        proxy = Proxy(tmp_path, "unused", port, manifest=MANIFEST)
        with httpx2.Client(timeout=10) as http:
            refused = http.post(proxy.url, headers={**MODERN, "Mcp-Method": "prompts/get", "Mcp-Name": "ops_runbook"}, json={
                "jsonrpc": "2.0", "id": 1, "method": "prompts/get", "params": {"_meta": MODERN_META, "name": "ops_runbook", "arguments": {"engineer": "x"}}})
            assert refused.status_code == 403 and refused.json()["error"]["data"]["reason"] == "prompt_not_granted", refused.text
            completed = http.post(proxy.url, headers={**MODERN, "Mcp-Method": "completion/complete"}, json={
                "jsonrpc": "2.0", "id": 2, "method": "completion/complete",
                "params": {"_meta": MODERN_META, "ref": {"type": "ref/prompt", "name": "ops_runbook"}, "argument": {"name": "engineer", "value": "oncall"}}})
        assert "oncall-ada" not in completed.text, f"alice, refused prompts/get ops_runbook, completes its arguments: {completed.text}"
    finally:
        if proxy:
            proxy.stop()
        server.terminate()
        try:
            server.wait(timeout=5)
        except subprocess.TimeoutExpired:
            server.kill()
