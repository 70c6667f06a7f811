"""Attacks on the answer scan (`ListAnswerScan`), the list filter and the event-stream
filter: a scripted upstream answers the way the test says, a header-mode mcp-proxy (the
grant of alice allows `get_forecast` and `set_alert`, hides `debug_dump` and
`delete_alerts`) stands in front of it, and the official MCP Python SDK client (or its SSE
parser, httpx2 `EventSource`, or its JSON-RPC decoder) reads what the proxy sends on.
Each test asserts the secure behaviour: the client never reads a hidden entry."""
import asyncio
import contextlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx2
import pytest
from mcp.client.session import ClientSession
from mcp.shared.exceptions import MCPError
from mcp.client.streamable_http import streamable_http_client
from mcp.types import jsonrpc_message_adapter

from conftest import Proxy, free_port
from test_proxy_list_filtering import ALICE, MANIFEST

HIDDEN = {"debug_dump", "delete_alerts"}
ACCEPT = {"Accept": "application/json, text/event-stream"}
TOOLS = [{"name": "get_forecast", "inputSchema": {"type": "object"}}, {"name": "debug_dump", "inputSchema": {"type": "object"}},
         {"name": "delete_alerts", "inputSchema": {"type": "object"}}]
INITIALIZED = {"protocolVersion": "2025-11-25", "capabilities": {"tools": {}, "resources": {}, "prompts": {}},
               "serverInfo": {"name": "scripted", "version": "1"}}


def listing(request_id, tools=TOOLS):
    return {"jsonrpc": "2.0", "id": request_id, "result": {"tools": tools}}


class Script(BaseHTTPRequestHandler):
    """An upstream MCP server whose answers to `answers[method]` the test writes:
    `answers[method](handler, message)`; initialize and notifications are answered as a
    server would."""

    protocol_version = "HTTP/1.1"
    answers = {}

    def do_POST(self):
        message = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
        method = message.get("method")
        if method in Script.answers:
            return Script.answers[method](self, message)
        if "id" not in message:
            self.send_response(202)
            self.send_header("Content-Length", "0")
            return self.end_headers()
        if method == "initialize":
            return self.json({"jsonrpc": "2.0", "id": message["id"], "result": INITIALIZED})
        self.json({"jsonrpc": "2.0", "id": message["id"], "result": {}})

    def do_GET(self):
        self.send_response(405)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_DELETE(self):
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def json(self, message):
        self.body(json.dumps(message).encode())

    def body(self, data, content_type="application/json", pieces=None):
        """`data` whole (Content-Length), or in `pieces` (chunked, each flushed)."""
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        if pieces is None:
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for piece in pieces:
            self.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
            self.wfile.flush()
        self.wfile.write(b"0\r\n\r\n")

    def log_message(self, *args):
        pass


@pytest.fixture
def scripted(tmp_path):
    Script.answers = {}
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Script)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    proxy = Proxy(tmp_path, "unused", server.server_address[1], manifest=MANIFEST.replace("{mode}", "allow-list"))
    try:
        yield proxy
    finally:
        proxy.stop()
        server.shutdown()
        server.server_close()


async def sdk_tools(url):
    """The tool names the SDK client's `list_tools` returns through the proxy."""
    async with httpx2.AsyncClient(headers=ALICE, timeout=15) as http:
        async with streamable_http_client(url, http_client=http) as streams:
            async with ClientSession(streams[0], streams[1]) as session:
                await session.initialize()
                return {tool.name for tool in (await session.list_tools()).tools}


def post(proxy, message):
    with httpx2.Client(headers={**ALICE, **ACCEPT}, timeout=15) as http:
        return http.post(proxy.url, json=message)


def sse_messages(answer):
    """The JSON-RPC messages the SDK client reads from an SSE answer: httpx2's
    `EventSource`, `message` events only, decoded as the SDK decodes them."""
    messages = []
    for sse in httpx2.EventSource(answer):
        if sse.event == "message" and sse.data:
            try:
                messages.append(jsonrpc_message_adapter.validate_json(sse.data, by_name=False))
            except ValueError:
                pass
    return messages


def read_tools(messages):
    names = set()
    for message in messages:
        result = getattr(message, "result", None)
        if isinstance(result, dict):
            names |= {tool.get("name") for tool in result.get("tools", []) if isinstance(tool, dict)}
    return names


# --- 1. A byte order mark at the start of an event stream ----------------------------
# The filter skipped a leading BOM (as WHATWG says a client must), read the first line
# without it, and sent it on. (Now it drops the BOM, and a raw line break inside a JSON
# string makes the scan read the data strictly.) httpx2's `EventSource` (the SDK client's parser) decodes the stream as plain
# UTF-8, which keeps U+FEFF: its first line's field is "\ufeffevent" or "\ufeffdata", an
# unknown field it ignores. So the filter and the client read different events:
# - `event: x` first: the filter sees a non-message event and sends it on unread; the
#   client sees a `message` event whose data is the full tools list;
# - `data: {"a":"` first: the filter scans `{"a":"\n{"jsonrpc"...` (an unterminated
#   string swallows the answer's structure, "clear") and sends it on unread; the client
#   reads only the second data line, the full tools list.
# Both through the SDK's own `list_tools` on a tools/list request, and on another request's
# stream (a `ping`, whose answer the SDK delivers to the request its id names).

BOM = b"\xef\xbb\xbf"


def bom_event(request_id):
    return BOM + ("event: x\ndata: " + json.dumps(listing(request_id)) + "\n\n").encode()


def bom_shifted_data(request_id):
    return BOM + ('data: {"a":"\ndata: ' + json.dumps(listing(request_id)) + "\n\n").encode()


@pytest.mark.parametrize("stream", [bom_event, bom_shifted_data])
def test_a_leading_bom_does_not_make_the_filter_read_other_events_than_the_client(scripted, stream):
    Script.answers["tools/list"] = lambda handler, message: handler.body(
        stream(message["id"]), content_type="text/event-stream", pieces=[stream(message["id"])])
    try:
        seen = asyncio.run(sdk_tools(scripted.url))
    except* MCPError:
        seen = set()  # the event the filter could not read was dropped: no answer, nothing seen
    assert not seen & HIDDEN, f"the SDK client lists tools alice's grant hides: {sorted(seen)}"


@pytest.mark.parametrize("stream", [bom_event, bom_shifted_data])
def test_a_leading_bom_does_not_carry_a_list_down_another_requests_stream(scripted, stream):
    Script.answers["ping"] = lambda handler, message: handler.body(
        stream(7000), content_type="text/event-stream", pieces=[stream(7000)])
    answer = post(scripted, {"jsonrpc": "2.0", "id": 7000, "method": "ping"})
    assert answer.status_code == 200, answer.text
    seen = read_tools(sse_messages(answer))
    assert not seen & HIDDEN, f"the SDK's SSE parser reads hidden tools from a ping's answer: {sorted(seen)}"
