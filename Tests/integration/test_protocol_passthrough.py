"""The rest of the protocol passes through mcp-proxy intact (issue 14): progress,
server-initiated requests on the SSE streams (sampling, elicitation, roots, ping) and the
client's answers POSTed back, log messages, list-changed and resource-updated
notifications on the GET stream, concurrent streams, resumption with `Last-Event-ID`,
cancellation, and the end of a session by `DELETE`.

Each scenario is run by the official MCP Python SDK's client (`ClientSession` over
`streamable_http_client`, or raw HTTP where the scenario is about the wire) twice: against
an SDK server directly, and against an identical one (a fresh process: the same state)
behind mcp-proxy in header mode, whose grant allows every tool. What the client observes
must be the same both times, and what it should be."""
import contextlib
import json
import subprocess
import sys
import time

import anyio
import httpx2
import pytest
from mcp import types
from mcp.client.session import ClientSession
from mcp.client.streamable_http import streamable_http_client

from conftest import ROOT, Proxy, free_port, wait_for

# The scenarios use what 2026-07-28 deprecates (logging, roots, sampling, resources/subscribe):
# this is the 2025-11-25 protocol, with sessions, that the SDK client negotiates.
pytestmark = pytest.mark.filterwarnings("ignore::mcp.shared.exceptions.MCPDeprecationWarning")

SERVER = ROOT / "Tests" / "integration" / "sdk_interactive_server.py"
HUMAN = {"X-MCP-Human-ID": "alice"}
VERSION = "2025-11-25"

TOOLS = {
    "count_with_progress": "read", "ask_llm": "read", "book_table": "read", "list_roots_here": "read",
    "list_roots_standalone": "read", "ping_client": "read", "log_messages": "read", "add_tool": "write",
    "added_echo": "read", "touch_resource": "write", "rendezvous": "read", "gated_stream": "read", "open_gate": "write",
    "cancellable": "read", "cancelled_calls": "read", "interrupted_stream": "read", "show_image": "read",
    "embedded_resource": "read", "failing_tool": "read",
}

MANIFEST = """
apiVersion: mcpruntime.org/v1alpha1
kind: MCPServer
metadata: {{name: weather, namespace: team-a}}
spec:
  image: ghcr.io/acme/interactive-mcp:1.0.0
  publicURL: http://127.0.0.1:{proxy_port}/mcp
  auth: {{mode: header}}
  tools:
""" + "".join(f"    - {{{{name: {name}, sideEffect: {effect}}}}}\n" for name, effect in TOOLS.items()) + """---
apiVersion: mcpruntime.org/v1alpha1
kind: MCPAccessGrant
metadata: {{name: alice, namespace: team-a}}
spec:
  serverRef: {{name: weather}}
  subject: {{humanID: alice}}
  maxTrust: medium
  allowedSideEffects: [read, write]
  disabled: {disabled}
"""


class SDKServer:
    """sdk_interactive_server.py on a free port of 127.0.0.1."""

    def __init__(self, directory):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/mcp"
        self.log = open(directory / f"sdk-server-{self.port}.log", "w")
        self.process = subprocess.Popen([sys.executable, SERVER, str(self.port)], stdout=self.log, stderr=subprocess.STDOUT)
        try:
            wait_for(self.url)
        except Exception:
            self.stop()
            raise

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


@pytest.fixture(scope="module")
def urls(tmp_path_factory):
    """The MCP endpoint of one server directly and of the proxy in front of the other;
    all three stopped afterwards, whichever fails to stop in time."""
    directory = tmp_path_factory.mktemp("protocol")
    with contextlib.ExitStack() as started:
        direct = SDKServer(directory)
        started.callback(direct.stop)
        behind = SDKServer(directory)
        started.callback(behind.stop)
        proxy = Proxy(directory, "unused", behind.port, manifest=MANIFEST)

        def stop_proxy():
            try:
                proxy.stop()
            except subprocess.TimeoutExpired:
                proxy.process.kill()
                proxy.process.wait()
                raise

        started.callback(stop_proxy)
        yield {"direct": direct.url, "proxied": proxy.url}


def both(urls, scenario):
    """The scenario's observations directly and through the proxy, which must be equal."""
    seen = {name: anyio.run(scenario, url) for name, url in urls.items()}
    assert seen["proxied"] == seen["direct"]
    return seen["direct"]


def dump(model):
    return model.model_dump(mode="json", by_alias=True, exclude_none=True)


async def within(predicate, timeout=10):
    """Waits until `predicate()` holds, at most `timeout` seconds."""
    with anyio.fail_after(timeout):
        while not predicate():
            await anyio.sleep(0.01)


class Peer:
    """The client's side of one session: the SDK's callbacks answer as a user's client
    would, and record what the server asked and told it."""

    ANSWER = types.CreateMessageResult(role="assistant", content=types.TextContent(type="text", text="forty-two"), model="test-model")
    BOOKING = {"name": "Ada", "guests": 4, "seating": "terrace", "confirm": True}
    ROOTS = [types.Root(uri="file:///work/project", name="project"), types.Root(uri="file:///work/notes", name="notes")]

    def __init__(self):
        self.sampling, self.elicitations, self.notifications, self.logs, self.progress, self.http = [], [], [], [], [], []
        self.roots_asked = 0
        self.session_id = None

    async def on_sampling(self, context, params):
        self.sampling.append(dump(params))
        return self.ANSWER

    async def on_elicitation(self, context, params):
        self.elicitations.append(dump(params))
        return types.ElicitResult(action="accept", content=self.BOOKING)

    async def on_roots(self, context):
        self.roots_asked += 1
        return types.ListRootsResult(roots=self.ROOTS)

    async def on_message(self, message):
        self.notifications.append(repr(message) if isinstance(message, Exception) else dump(message))

    async def on_log(self, params):
        self.logs.append(dump(params))

    async def on_progress(self, progress, total, message):
        self.progress.append([progress, total, message])

    async def on_response(self, response):
        self.session_id = response.headers.get("mcp-session-id") or self.session_id
        self.http.append([response.request.method, response.status_code, response.request.headers.get("last-event-id")])

    def notified(self, method):
        return [n for n in self.notifications if isinstance(n, dict) and n.get("method") == method]


@contextlib.asynccontextmanager
async def connected(url):
    """An initialized SDK client session with a `Peer`; on leaving, the SDK ends the
    session with DELETE."""
    peer = Peer()
    async with httpx2.AsyncClient(headers=HUMAN, timeout=httpx2.Timeout(10, read=30), event_hooks={"response": [peer.on_response]}) as http:
        async with streamable_http_client(url, http_client=http) as (read, write):
            async with ClientSession(
                read, write, sampling_callback=peer.on_sampling, elicitation_callback=peer.on_elicitation,
                list_roots_callback=peer.on_roots, message_handler=peer.on_message, logging_callback=peer.on_log,
            ) as session:
                await session.initialize()
                yield session, peer


def text(result):
    assert not isinstance(result, types.InputRequiredResult)
    return [content.text for content in result.content if content.type == "text"]


def test_progress(urls):
    async def scenario(url):
        async with connected(url) as (session, peer):
            result = await session.call_tool("count_with_progress", {"steps": 4}, progress_callback=peer.on_progress)
            await within(lambda: len(peer.progress) == 4)
            return {"result": text(result), "progress": peer.progress}

    seen = both(urls, scenario)
    assert seen == {"result": ["counted to 4"], "progress": [[step, 4, f"step {step} of 4"] for step in range(1, 5)]}


def test_sampling_round_trip_reaches_the_tool(urls):
    async def scenario(url):
        async with connected(url) as (session, peer):
            result = await session.call_tool("ask_llm", {"question": "What is six times seven?"})
            return {"result": text(result), "asked": peer.sampling}

    seen = both(urls, scenario)
    assert seen["result"] == ["test-model answered: forty-two"]
    assert seen["asked"] == [{
        "messages": [{"role": "user", "content": {"type": "text", "text": "What is six times seven?"}}],
        "systemPrompt": "Answer briefly.", "maxTokens": 64,
    }]


def test_elicitation_round_trip_with_defaults_and_enums(urls):
    async def scenario(url):
        async with connected(url) as (session, peer):
            result = await session.call_tool("book_table", {})
            return {"result": text(result), "asked": peer.elicitations}

    seen = both(urls, scenario)
    assert seen["result"] == [f"accept: {Peer.BOOKING}"]
    [asked] = seen["asked"]
    assert asked["message"] == "Book a table?"
    properties = asked["requestedSchema"]["properties"]
    assert properties["guests"]["default"] == 2 and properties["confirm"]["default"] is True
    assert properties["seating"]["enum"] == ["inside", "terrace"] and properties["seating"]["default"] == "inside"
    assert asked["requestedSchema"]["required"] == ["name"]


def test_roots_on_the_call_stream_and_on_the_get_stream(urls):
    """`roots/list` on the call's own stream, then on the GET stream while the call's
    stream stays open waiting for the answer: both streams deliver at once."""
    async def scenario(url):
        async with connected(url) as (session, peer):
            here = await session.call_tool("list_roots_here", {})
            standalone = await session.call_tool("list_roots_standalone", {})
            return {"here": text(here), "standalone": text(standalone), "asked": peer.roots_asked}

    roots = ["project=file:///work/project notes=file:///work/notes"]
    assert both(urls, scenario) == {"here": roots, "standalone": roots, "asked": 2}


def test_ping_both_ways(urls):
    async def scenario(url):
        async with connected(url) as (session, peer):
            pong = await session.send_ping()
            result = await session.call_tool("ping_client", {})
            return {"pong": dump(pong), "result": text(result)}

    seen = both(urls, scenario)
    assert seen["result"] == ["the client answered both pings"]
    assert "error" not in seen["pong"]


def test_log_messages_at_the_level_the_client_set(urls):
    async def scenario(url):
        async with connected(url) as (session, peer):
            await session.set_logging_level("warning")
            result = await session.call_tool("log_messages", {})
            await within(lambda: len(peer.logs) == 2)
            return {"result": text(result), "logs": peer.logs, "notified": peer.notified("notifications/message")}

    seen = both(urls, scenario)
    assert seen["result"] == ["logged warning error"]
    assert seen["logs"] == [
        {"level": level, "logger": "interactive", "data": {"level": level, "text": f"a {level} message"}} for level in ["warning", "error"]
    ]
    assert [n["params"] for n in seen["notified"]] == seen["logs"]


def test_tools_list_changed_on_the_get_stream(urls):
    async def scenario(url):
        async with connected(url) as (session, peer):
            before = {tool.name for tool in (await session.list_tools()).tools}
            added = await session.call_tool("add_tool", {"name": "added_echo"})
            await within(lambda: peer.notified("notifications/tools/list_changed"))
            after = {tool.name for tool in (await session.list_tools()).tools}
            echo = await session.call_tool("added_echo", {"text": "hi"})
            return {"new": sorted(after - before), "added": text(added), "echo": text(echo),
                    "notified": peer.notified("notifications/tools/list_changed")}

    assert both(urls, scenario) == {
        "new": ["added_echo"], "added": ["added added_echo"], "echo": ["added_echo says hi"],
        "notified": [{"method": "notifications/tools/list_changed"}],
    }


def test_resource_subscription_and_updates(urls):
    async def scenario(url):
        async with connected(url) as (session, peer):
            await session.subscribe_resource("note://static")
            watched = await session.call_tool("touch_resource", {"uri": "note://static"})
            await within(lambda: peer.notified("notifications/resources/updated"))
            await session.unsubscribe_resource("note://static")
            unwatched = await session.call_tool("touch_resource", {"uri": "note://static"})
            return {"watched": text(watched), "unwatched": text(unwatched), "notified": peer.notified("notifications/resources/updated")}

    assert both(urls, scenario) == {
        "watched": ["note://static changed, subscriber notified"], "unwatched": ["note://static changed, nobody subscribed"],
        "notified": [{"method": "notifications/resources/updated", "params": {"uri": "note://static"}}],
    }


def test_resources_prompts_completion_and_tool_contents(urls):
    """The request-response rest of the conformance list: what the server answers is what
    the client gets."""
    async def scenario(url):
        async with connected(url) as (session, peer):
            prompt = types.PromptReference(type="ref/prompt", name="review")
            return {
                "resources": dump(await session.list_resources()),
                "templates": dump(await session.list_resource_templates()),
                "text": dump(await session.read_resource("note://static")),
                "binary": dump(await session.read_resource("blob://pixel")),
                "template": dump(await session.read_resource("greeting://Ada")),
                "prompts": dump(await session.list_prompts()),
                "prompt": dump(await session.get_prompt("review", {"code": "x = 1"})),
                "completion": dump(await session.complete(prompt, {"name": "style", "value": "t"})),
                "image": dump(await session.call_tool("show_image", {})),
                "embedded": dump(await session.call_tool("embedded_resource", {})),
                "error": dump(await session.call_tool("failing_tool", {})),
            }

    seen = both(urls, scenario)
    assert [r["uri"] for r in seen["resources"]["resources"]] == ["note://static", "blob://pixel"]
    assert seen["templates"]["resourceTemplates"][0]["uriTemplate"] == "greeting://{name}"
    assert seen["text"]["contents"][0]["text"] == "a static note"
    assert seen["binary"]["contents"][0]["blob"].startswith("iVBORw0KGgo")
    assert seen["template"]["contents"][0]["text"] == "Hello, Ada!"
    assert seen["prompt"]["messages"][0]["content"]["text"] == "Review this code (terse): x = 1"
    assert seen["completion"]["completion"]["values"] == ["terse", "thorough"]
    assert seen["image"]["content"][0]["type"] == "image" and seen["image"]["content"][0]["mimeType"] == "image/png"
    assert [c["type"] for c in seen["embedded"]["content"]] == ["text", "resource"]
    assert seen["error"]["isError"] is True and seen["error"]["content"][0]["text"].endswith("this tool always fails")


def test_concurrent_post_streams(urls):
    """Three calls whose answers each wait until all three are in progress: three POST
    streams open at once (conformance `server-sse-multiple-streams`)."""
    async def scenario(url):
        async with connected(url) as (session, peer):
            answers = []

            async def call():
                answers.append(text(await session.call_tool("rendezvous", {"group": "trio", "size": 3})))

            async with anyio.create_task_group() as group:
                for _ in range(3):
                    group.start_soon(call)
            return answers

    assert both(urls, scenario) == [["trio: 3 calls met"]] * 3


def test_cancellation_reaches_the_server(urls):
    async def scenario(url):
        async with connected(url) as (session, peer):
            async with anyio.create_task_group() as group:
                group.start_soon(session.call_tool, "cancellable", {"name": "doomed"})
                await within(lambda: peer.logs)
                group.cancel_scope.cancel()
            # The notification is POSTed on its own: poll the server until it was applied.
            with anyio.fail_after(10):
                while (cancelled := text(await session.call_tool("cancelled_calls", {}))) == ["none"]:
                    await anyio.sleep(0.02)
            return {"cancelled": cancelled, "logs": peer.logs}

    assert both(urls, scenario) == {"cancelled": ["doomed"], "logs": [{"level": "info", "logger": "interactive", "data": "doomed: started"}]}


def test_sdk_client_resumes_a_stream_the_server_closed(urls):
    """SSE polling: the server closes a call's stream after its first progress; the SDK
    client resumes it with GET and `Last-Event-ID` and gets the rest and the answer."""
    async def scenario(url):
        async with connected(url) as (session, peer):
            result = await session.call_tool("interrupted_stream", {}, progress_callback=peer.on_progress)
            await within(lambda: len(peer.progress) == 3)
            resumed = [entry[:2] for entry in peer.http if entry[2] is not None]
            return {"result": text(result), "progress": peer.progress, "resumed": resumed}

    assert both(urls, scenario) == {
        "result": ["answered after the break"],
        "progress": [[1, 3, "before the break"], [2, 3, "during the break"], [3, 3, "after the break"]],
        "resumed": [["GET", 200]],
    }


def test_sdk_client_ends_the_session_with_delete(urls):
    async def scenario(url):
        async with connected(url) as (session, peer):
            await session.call_tool("count_with_progress", {"steps": 1})
        with httpx2.Client(headers=HUMAN, timeout=10) as http:
            after = http.post(url, content=call(9, "count_with_progress", {"steps": 1}), headers=wire(peer.session_id))
        return {"delete": [entry[:2] for entry in peer.http if entry[0] == "DELETE"], "after": after.status_code}

    assert both(urls, scenario) == {"delete": [["DELETE", 200]], "after": 404}


# Raw HTTP, for what the SDK client does not let a test do: leave a stream and come back.


def call(id, name, arguments):
    return json.dumps({"jsonrpc": "2.0", "id": id, "method": "tools/call", "params": {"name": name, "arguments": arguments}})


def wire(session_id=None, **extra):
    headers = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json", "MCP-Protocol-Version": VERSION}
    if session_id:
        headers["Mcp-Session-Id"] = session_id
    return headers | extra


def events(response):
    """The SSE events of a streamed answer as they arrive: (id, data), data parsed."""
    event_id, data = None, []
    for line in response.iter_lines():
        if line == "":
            if event_id is not None or data:
                yield event_id, json.loads("\n".join(data)) if any(data) else None
            event_id, data = None, []
        elif line.startswith("id:"):
            event_id = line[3:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].lstrip(" "))


def answer(http, url, body, session_id):
    """The JSON-RPC answer to one POSTed request, read from its event stream."""
    with http.stream("POST", url, content=body, headers=wire(session_id)) as response:
        assert response.status_code == 200, response.read()
        for _, message in events(response):
            if message and "id" in message and "method" not in message:
                return message
    raise AssertionError("the stream ended without an answer")


def initialize(http, url):
    """A session opened by hand: its id (the proxy's sealed one through the proxy)."""
    body = json.dumps({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
        "protocolVersion": VERSION, "capabilities": {}, "clientInfo": {"name": "raw", "version": "1"}}})
    with http.stream("POST", url, content=body, headers=wire()) as response:
        assert response.status_code == 200
        session_id = response.headers["mcp-session-id"]
        assert any(message and message.get("id") == 0 for _, message in events(response))
    initialized = http.post(url, content=json.dumps({"jsonrpc": "2.0", "method": "notifications/initialized"}), headers=wire(session_id))
    assert initialized.status_code == 202
    return session_id


def until_live(http, url, session_id, last_event_id=None, timeout=5):
    """A GET event stream of the session, the one after `last_event_id` resumed, once the
    server has seen the client leave the stream before it: until then it refuses a second
    GET stream (409), or replays what it has and ends the resumed one, and is asked again
    until `timeout`. The open answer, its events past the first (a resumed stream's priming
    event: what follows is delivered live)."""
    headers = wire(session_id, Accept="text/event-stream") | ({"Last-Event-ID": last_event_id} if last_event_id else {})
    deadline = time.monotonic() + timeout
    while True:
        response = http.send(http.build_request("GET", url, headers=headers), stream=True)
        if response.status_code == 200:
            stream = events(response)
            if last_event_id is None:
                return response, stream
            first = next(stream, None)
            if first is not None and first[1] is None:
                return response, stream
        response.close()
        if time.monotonic() > deadline:
            raise AssertionError(f"no live stream: the last answer was {response.status_code}")
        time.sleep(0.02)


def test_a_client_that_left_its_get_stream_can_open_another(urls):
    """The server allows one GET stream per session: the client's second one works once the
    first is gone, and the server learns that it is gone when the client closes it."""
    def scenario(url):
        with httpx2.Client(headers=HUMAN, timeout=10) as http:
            session_id = initialize(http, url)
            with http.stream("GET", url, headers=wire(session_id, Accept="text/event-stream")) as first:
                opened = first.status_code
            second, _ = until_live(http, url, session_id)
            second.close()
            return {"first": opened, "second": second.status_code}

    seen = {name: scenario(url) for name, url in urls.items()}
    assert seen["proxied"] == seen["direct"] == {"first": 200, "second": 200}


def test_resume_after_the_client_left_a_stream(urls):
    """The client reads a call's first event, drops the connection, resumes with GET and
    `Last-Event-ID`, and gets what the server sent since: nothing is lost or repeated."""
    def scenario(url):
        with httpx2.Client(headers=HUMAN, timeout=10) as http:
            session_id = initialize(http, url)
            left, last_event_id = [], None
            with http.stream("POST", url, content=call(1, "gated_stream", {"gate": "door"}), headers=wire(session_id)) as response:
                assert response.status_code == 200
                for event_id, message in events(response):
                    left.append(message)
                    if message:
                        last_event_id = event_id
                        break
            # The connection is gone; the tool is still waiting at its gate.
            assert last_event_id is not None
            stream, replay = until_live(http, url, session_id, last_event_id)
            resumed = []
            try:
                opened = answer(http, url, call(2, "open_gate", {"gate": "door"}), session_id)
                for _, message in replay:
                    resumed.append(message)
                    if message and message.get("id") == 1:
                        break
            finally:
                stream.close()
            return {"left": left, "opened": opened, "resumed": resumed}

    seen = {name: scenario(url) for name, url in urls.items()}
    assert seen["proxied"] == seen["direct"]
    log = {"method": "notifications/message", "jsonrpc": "2.0"}
    assert seen["direct"]["left"] == [None, log | {"params": {"level": "info", "logger": "interactive", "data": "door: before"}}]
    assert seen["direct"]["opened"]["result"]["content"][0]["text"] == "door open"
    after, result = seen["direct"]["resumed"]
    assert after == log | {"params": {"level": "info", "logger": "interactive", "data": "door: after"}}
    assert result["id"] == 1 and result["result"]["content"][0]["text"] == "door passed"


def test_delete_ends_the_session(urls):
    def scenario(url):
        with httpx2.Client(headers=HUMAN, timeout=10) as http:
            session_id = initialize(http, url)
            before = answer(http, url, call(1, "count_with_progress", {"steps": 1}), session_id)
            deleted = http.delete(url, headers=wire(session_id))
            after = http.post(url, content=call(2, "count_with_progress", {"steps": 1}), headers=wire(session_id))
            stream = http.get(url, headers=wire(session_id, Accept="text/event-stream"))
            return {"before": before["result"]["content"][0]["text"], "deleted": deleted.status_code, "after": after.status_code,
                    "stream": stream.status_code, "sealed": "." in session_id}

    seen = {name: scenario(url) for name, url in urls.items()}
    # Through the proxy the client holds the proxy's sealed id (`<upstream id>.<MAC>`), not the server's.
    assert seen["direct"].pop("sealed") is False and seen["proxied"].pop("sealed") is True
    assert seen["proxied"] == seen["direct"] == {"before": "counted to 1", "deleted": 200, "after": 404, "stream": 404}
