"""What a caller sees is what it may use: mcp-proxy (header mode) in front of the official
MCP Python SDK server (`sdk_catalog_server.py`), answering with JSON bodies and with SSE
streams. Two callers with different grants list tools, resources, resource templates and
prompts through the SDK client and see different lists; what a list hides is refused when
used; the SSE answer keeps its event ids and framing."""
import asyncio
import contextlib
import json
import pathlib
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx2
import pytest
import requests
from mcp.client.session import ClientSession
from mcp.client.streamable_http import streamable_http_client

from conftest import VENV, Proxy, free_port, wait_for
from header_mode import Audit

HERE = pathlib.Path(__file__).resolve().parent

MANIFEST = """
apiVersion: mcpruntime.org/v1alpha1
kind: MCPServer
metadata: {{name: weather, namespace: team-a}}
spec:
  image: ghcr.io/acme/weather-mcp:1.0.0
  publicURL: http://127.0.0.1:{proxy_port}/mcp
  auth: {{mode: header}}
  policy: {{mode: {mode}}}
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
  promptRules:
    - {{name: forecast_summary, decision: allow}}
---
apiVersion: mcpruntime.org/v1alpha1
kind: MCPAccessGrant
metadata: {{name: bob, namespace: team-a}}
spec:
  serverRef: {{name: weather}}
  subject: {{humanID: bob}}
  maxTrust: low
  allowedSideEffects: [read]
  promptRules:
    - {{name: forecast_summary, decision: allow}}
    - {{name: ops_runbook, decision: deny}}
"""

ALICE = {"X-MCP-Human-ID": "alice"}
BOB = {"X-MCP-Human-ID": "bob"}
CAROL = {"X-MCP-Human-ID": "carol"}

# What each caller may use of the catalog, by its grant; carol has none (default deny).
EXPECTED = {
    "alice": {
        "tools": ["get_forecast", "set_alert"],
        "resources": ["weather://public/today"],
        "templates": ["weather://public/city/{name}"],
        "prompts": ["forecast_summary"],
    },
    "bob": {
        "tools": ["get_forecast"],
        "resources": ["weather://internal/ops", "weather://public/today"],
        "templates": ["weather://internal/station/{station}", "weather://public/city/{name}"],
        "prompts": ["forecast_summary"],
    },
    "carol": {"tools": [], "resources": [], "templates": [], "prompts": []},
}
EVERYTHING = {
    "tools": ["debug_dump", "delete_alerts", "get_forecast", "set_alert"],
    "resources": ["weather://internal/ops", "weather://public/today"],
    "templates": ["weather://internal/station/{station}", "weather://public/city/{name}"],
    "prompts": ["forecast_summary", "ops_runbook"],
}


@contextlib.contextmanager
def catalog(mode):
    port = free_port()
    process = subprocess.Popen([VENV / "python", HERE / "sdk_catalog_server.py", str(port), mode], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(f"http://127.0.0.1:{port}/mcp")
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


@contextlib.contextmanager
def stack(tmp_path, mode, policy="allow-list"):
    """The SDK server answering in `mode` (json or sse), and mcp-proxy in front of it."""
    with catalog(mode) as port:
        proxy = Proxy(tmp_path, "unused", port, manifest=MANIFEST.replace("{mode}", policy))
        try:
            yield proxy
        finally:
            proxy.stop()


async def sees(url, headers):
    """What the SDK client lists, by kind, each list sorted."""
    async with httpx2.AsyncClient(headers=headers, timeout=30) as http:
        async with streamable_http_client(url, http_client=http) as streams:
            async with ClientSession(streams[0], streams[1]) as session:
                await session.initialize()
                tools = await session.list_tools()
                resources = await session.list_resources()
                templates = await session.list_resource_templates()
                prompts = await session.list_prompts()
                return {
                    "tools": sorted(tool.name for tool in tools.tools),
                    "resources": sorted(str(resource.uri) for resource in resources.resources),
                    "templates": sorted(template.uri_template for template in templates.resource_templates),
                    "prompts": sorted(prompt.name for prompt in prompts.prompts),
                }


class Raw:
    """One MCP session over plain HTTP, to see the answers' wire form."""

    def __init__(self, url, headers):
        self.url = url
        self.http = httpx2.Client(headers={**headers, "Accept": "application/json, text/event-stream"}, timeout=30)
        answer = self.post({"jsonrpc": "2.0", "id": 0, "method": "initialize",
                            "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "raw", "version": "1"}}})
        assert answer.status_code == 200, answer.text
        self.session = answer.headers["mcp-session-id"]
        self.post({"jsonrpc": "2.0", "method": "notifications/initialized"})

    def post(self, message):
        headers = {"Mcp-Session-Id": self.session} if hasattr(self, "session") else {}
        return self.http.post(self.url, json=message, headers=headers)

    def close(self):
        self.http.close()


def events(text):
    """The SSE events of a body: each a list of (field, value) lines."""
    parsed = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        if block.strip():
            parsed.append([tuple(line.split(": ", 1)) if ": " in line else (line.rstrip(":"), "") for line in block.split("\n")])
    return parsed


@pytest.mark.parametrize("mode", ["json", "sse"])
def test_two_callers_see_what_their_grants_give(tmp_path, mode):
    with stack(tmp_path, mode) as proxy:
        upstream_port = proxy.process.args[-1].rsplit(":", 1)[1].split("/")[0]
        assert asyncio.run(sees(f"http://127.0.0.1:{upstream_port}/mcp", {})) == EVERYTHING, "the server itself lists everything"
        for name, headers in [("alice", ALICE), ("bob", BOB), ("carol", CAROL)]:
            assert asyncio.run(sees(proxy.url, headers)) == EXPECTED[name], name


@pytest.mark.parametrize("mode", ["json", "sse"])
def test_what_a_list_hides_is_refused_when_used(tmp_path, mode):
    with stack(tmp_path, mode) as proxy:
        alice, bob = Raw(proxy.url, ALICE), Raw(proxy.url, BOB)
        try:
            refused = [
                (alice, {"method": "tools/call", "params": {"name": "delete_alerts", "arguments": {"city": "Lyon"}}}, "side_effect_not_allowed"),
                (alice, {"method": "tools/call", "params": {"name": "debug_dump", "arguments": {}}}, "tool_side_effect_unknown"),
                (alice, {"method": "resources/read", "params": {"uri": "weather://internal/ops"}}, "resource_not_granted"),
                (alice, {"method": "resources/read", "params": {"uri": "weather://internal/station/s1"}}, "resource_not_granted"),
                (alice, {"method": "prompts/get", "params": {"name": "ops_runbook"}}, "prompt_not_granted"),
                (bob, {"method": "tools/call", "params": {"name": "set_alert", "arguments": {"city": "Lyon", "level": "red"}}}, "side_effect_not_allowed"),
                (bob, {"method": "prompts/get", "params": {"name": "ops_runbook"}}, "prompt_denied"),
            ]
            for number, (session, message, reason) in enumerate(refused, start=10):
                answer = session.post({"jsonrpc": "2.0", "id": number, **message})
                assert answer.status_code == 403, (message, answer.text)
                body = answer.json()
                assert body["id"] == number and body["error"]["data"]["reason"] == reason, (message, body)
            allowed = [
                (alice, {"method": "resources/read", "params": {"uri": "weather://public/city/Lyon"}}, "weather of Lyon"),
                (bob, {"method": "resources/read", "params": {"uri": "weather://internal/ops"}}, "the ops pager rota"),
                (alice, {"method": "prompts/get", "params": {"name": "forecast_summary", "arguments": {"city": "Lyon"}}}, "Summarize tomorrow's weather in Lyon."),
            ]
            for number, (session, message, text) in enumerate(allowed, start=30):
                answer = session.post({"jsonrpc": "2.0", "id": number, **message})
                assert answer.status_code == 200 and text in answer.text, (message, answer.text)
        finally:
            alice.close()
            bob.close()


def test_a_resource_uri_the_server_may_read_as_another_is_refused(tmp_path):
    with stack(tmp_path, "json") as proxy:
        alice = Raw(proxy.url, ALICE)
        try:
            for uri in ["weather://public/../internal/ops", "weather://public/%2e%2e/internal/ops", "weather://public/city/..%2Finternal",
                        "WEATHER://public/today", "weather://public\\..\\internal/ops"]:
                answer = alice.post({"jsonrpc": "2.0", "id": 5, "method": "resources/read", "params": {"uri": uri}})
                assert answer.status_code == 400 and answer.json()["id"] == 5, (uri, answer.text)
        finally:
            alice.close()


def test_an_sse_answer_keeps_its_event_ids_and_framing(tmp_path):
    with stack(tmp_path, "sse") as proxy:
        audit = Audit(proxy)
        alice = Raw(proxy.url, ALICE)
        try:
            answer = alice.post({"jsonrpc": "2.0", "id": 7, "method": "tools/list"})
            assert answer.headers["content-type"].startswith("text/event-stream")
            stream = events(answer.text)
            # The answer's event as the SDK server frames it: its id, its type, then its data.
            assert [field for field, _ in stream[-1]] == ["id", "event", "data"] and dict(stream[-1])["event"] == "message", answer.text
            assert all(dict(event).get("id", "").isdigit() for event in stream), answer.text
            message = json.loads(dict(stream[-1])["data"])
            assert message["id"] == 7 and sorted(tool["name"] for tool in message["result"]["tools"]) == EXPECTED["alice"]["tools"]
            records = [audit.next() for _ in range(3)]
            listing = next(record for record in records if record.get("method") == "tools/list")
            assert listing["reason"] == "filtered" and sorted(listing["hidden"]) == ["tool:debug_dump", "tool:delete_alerts"], listing
        finally:
            alice.close()


def test_observe_mode_hides_nothing_and_audits_what_it_would_hide(tmp_path):
    with stack(tmp_path, "json", policy="observe") as proxy:
        audit = Audit(proxy)
        assert asyncio.run(sees(proxy.url, BOB)) == EVERYTHING
        records = [audit.next() for _ in range(6)]
        listing = next(record for record in records if record.get("method") == "tools/list")
        assert listing["decision"] == "observe" and sorted(listing["hidden"]) == ["tool:debug_dump", "tool:delete_alerts", "tool:set_alert"], listing


class ScriptedStream(BaseHTTPRequestHandler):
    """An upstream whose answers are event streams the test writes: a GET stream (as a
    resumed one, replaying a list answer) and a POSTed tools/list answered in two events,
    the second only once the test has seen the first arrive through the proxy."""

    protocol_version = "HTTP/1.1"
    release = threading.Event()

    def do_GET(self):
        self.start()
        self.event("id: 41\nevent: message\ndata: " + json.dumps({"jsonrpc": "2.0", "id": 7, "result": {"tools": [{"name": "get_forecast"}, {"name": "debug_dump"}]}}) + "\n\n")
        self.end()

    def do_POST(self):
        message = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
        if message["method"] == "ping":
            return self.hijacked(message["id"])
        if message["method"] == "tools/call":
            return self.large(message["params"]["arguments"].get("leak", False))
        if message["method"] == "notifications/initialized":
            # 200 without a type or a body, as some servers answer a notification.
            self.send_response(200)
            self.send_header("Content-Length", "0")
            return self.end_headers()
        self.start()
        self.event("id: 1\ndata: " + json.dumps({"jsonrpc": "2.0", "method": "notifications/progress", "params": {"progressToken": 1, "progress": 1}}) + "\n\n")
        # Held until the client has the first event: a proxy that waited for the whole
        # stream would never deliver it.
        ScriptedStream.release.wait(timeout=20)
        self.event("id: 2\ndata: " + json.dumps({"jsonrpc": "2.0", "id": 8, "result": {"tools": [{"name": "debug_dump"}, {"name": "get_forecast"}]}}) + "\n\n")
        self.end()

    def hijacked(self, request_id):
        """The answer to another request with this id's text (the SDK keys its streams by
        `str(id)`): a tools/list result sent to a ping, as JSON or (id `sse-…`) as SSE."""
        listing = {"jsonrpc": "2.0", "id": 7000, "result": {"tools": [{"name": "get_forecast"}, {"name": "debug_dump"}]}}
        if str(request_id).startswith("sse-"):
            self.start()
            self.event("id: 9\ndata: " + json.dumps(listing) + "\n\n")
            return self.end()
        body = json.dumps(listing).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def large(self, leak):
        """A tools/call answer of about 600 kB sent in pieces (so the proxy relays it as it
        comes): plain content, or (argument `leak`) a tools list after the content."""
        text = "x" * 600_000
        result = {"content": [{"type": "text", "text": text}]}
        if leak:
            result["tools"] = [{"name": "debug_dump"}]
        body = json.dumps({"jsonrpc": "2.0", "id": 9, "result": result}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        for start in range(0, len(body), 65536):
            self.wfile.write(body[start:start + 65536])
            self.wfile.flush()

    def start(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()

    def event(self, text):
        data = text.encode()
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def end(self):
        self.wfile.write(b"0\r\n\r\n")

    def log_message(self, *args):
        pass


@contextlib.contextmanager
def scripted(tmp_path):
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), ScriptedStream)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    proxy = Proxy(tmp_path, "unused", server.server_address[1], manifest=MANIFEST.replace("{mode}", "allow-list"))
    try:
        yield proxy
    finally:
        proxy.stop()
        server.shutdown()
        server.server_close()


def test_a_resumed_stream_replaying_a_list_answer_is_filtered_too(tmp_path):
    with scripted(tmp_path) as proxy:
        answer = requests.get(proxy.url, headers={**ALICE, "Accept": "text/event-stream", "Last-Event-ID": "40"}, timeout=10)
        assert answer.status_code == 200
        (event,) = events(answer.text)
        assert dict(event)["id"] == "41"
        assert [tool["name"] for tool in json.loads(dict(event)["data"])["result"]["tools"]] == ["get_forecast"]


def test_a_filtered_stream_delivers_each_event_as_it_comes(tmp_path):
    ScriptedStream.release.clear()
    with scripted(tmp_path) as proxy:
        message = {"jsonrpc": "2.0", "id": 8, "method": "tools/list"}
        with requests.post(proxy.url, json=message, headers={**ALICE, "Accept": "application/json, text/event-stream"}, stream=True, timeout=10) as answer:
            lines = answer.iter_lines(decode_unicode=True)
            first = [next(lines) for _ in range(2)]
            assert first[0] == "id: 1" and "notifications/progress" in first[1], first
            ScriptedStream.release.set()
            rest = [line for line in lines if line]
        assert rest[0] == "id: 2" and [tool["name"] for tool in json.loads(rest[1][len("data: "):])["result"]["tools"]] == ["get_forecast"], rest


def test_a_rate_limited_caller_gets_429_and_another_is_unaffected(tmp_path):
    limited = MANIFEST.replace("  tools:\n    - {{name: get_forecast", "  rateLimits:\n    perHuman: {{requests: 5, intervalSeconds: 3600}}\n  tools:\n    - {{name: get_forecast", 1)
    with catalog("json") as port:
        proxy = Proxy(tmp_path, "unused", port, manifest=limited.replace("{mode}", "allow-list"))
        try:
            alice = Raw(proxy.url, ALICE)  # initialize and notifications/initialized: 2 of 5
            answers = [alice.post({"jsonrpc": "2.0", "id": n, "method": "tools/list"}) for n in range(3, 7)]
            assert [a.status_code for a in answers] == [200, 200, 200, 429], [a.text for a in answers]
            refused = answers[-1]
            assert int(refused.headers["retry-after"]) >= 1
            assert refused.json()["id"] == 6 and refused.json()["error"]["data"]["reason"] == "rate_limited_human"
            bob = Raw(proxy.url, BOB)
            listed = bob.post({"jsonrpc": "2.0", "id": 3, "method": "tools/list"})
            assert listed.status_code == 200 and [tool["name"] for tool in listed.json()["result"]["tools"]] == EXPECTED["bob"]["tools"]
            alice.close()
            bob.close()
        finally:
            proxy.stop()


@pytest.mark.parametrize("request_id", [7000, "7000", "sse-1"])
def test_a_list_answer_sent_down_another_requests_stream_is_filtered_too(tmp_path, request_id):
    with scripted(tmp_path) as proxy:
        answer = requests.post(proxy.url, json={"jsonrpc": "2.0", "id": request_id, "method": "ping"},
                               headers={**ALICE, "Accept": "application/json, text/event-stream"}, timeout=10)
        assert answer.status_code == 200, answer.text
        text = answer.text if answer.headers["content-type"].startswith("application/json") else dict(events(answer.text)[0])["data"]
        assert [tool["name"] for tool in json.loads(text)["result"]["tools"]] == ["get_forecast"], answer.text


def test_a_large_answer_is_relayed_whole_unless_it_carries_a_list(tmp_path):
    with scripted(tmp_path) as proxy:
        call = {"jsonrpc": "2.0", "id": 9, "method": "tools/call", "params": {"name": "get_forecast", "arguments": {}}}
        answer = requests.post(proxy.url, json=call, headers={**ALICE, "Accept": "application/json, text/event-stream"}, timeout=10)
        assert answer.status_code == 200 and len(json.loads(answer.text)["result"]["content"][0]["text"]) == 600_000
        call["params"]["arguments"] = {"leak": True}
        with pytest.raises(requests.exceptions.ChunkedEncodingError):
            requests.post(proxy.url, json=call, headers={**ALICE, "Accept": "application/json, text/event-stream"}, timeout=10).text


def test_an_answer_without_a_body_needs_no_type(tmp_path):
    with scripted(tmp_path) as proxy:
        answer = requests.post(proxy.url, json={"jsonrpc": "2.0", "method": "notifications/initialized"},
                               headers={**ALICE, "Accept": "application/json, text/event-stream"}, timeout=10)
        assert answer.status_code == 200 and answer.content == b""
