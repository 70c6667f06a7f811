"""An MCP server built with the official MCP Python SDK (PyPI `mcp`, pinned) that uses the
interactive rest of the protocol over Streamable HTTP with SSE answers: progress, log
messages under `logging/setLevel`, server-initiated requests (sampling, elicitation,
roots, ping) on a POST's stream and on the session's GET stream, `list_changed` and
`resources/updated` notifications on the GET stream, resources (subscribe, templates,
binary), prompts and completions, and resumability through an event store (the stream
of a request can be resumed with `Last-Event-ID`). DNS-rebinding protection stays on:
the proxy forwards with the upstream's own Host.

    python sdk_interactive_server.py PORT

Every tool's result says what the client's answers were, so a test sees that they
reached the server.
"""
import base64
import sys
from typing import Literal

import anyio
import uvicorn
from mcp import types
from mcp.server.mcpserver import Context, Image, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.streamable_http import GET_STREAM_KEY, EventMessage, EventStore
from mcp.server.transport_security import TransportSecuritySettings
from mcp.shared.message import ServerMessageMetadata
from pydantic import BaseModel, Field

server = MCPServer("interactive", log_level="WARNING")

LEVELS = ["debug", "info", "notice", "warning", "error", "critical", "alert", "emergency"]
# Per session (the SDK's id for it): the log level the client set, the resources it watches.
log_levels: dict[str, str] = {}
subscriptions: dict[str, set[str]] = {}
# Gates a test opens with `open_gate`, and groups of calls that meet in `rendezvous`.
gates: dict[str, anyio.Event] = {}
groups: dict[str, list[anyio.Event]] = {}
cancelled: set[str] = set()

PIXEL = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGP4z8DwHwAFAAH/iZk9HQAAAABJRU5ErkJggg==")


class MemoryEventStore(EventStore):
    """Every event of every stream, in order (the SDK's example store, made small): a
    stream is replayed from the event after the one the client names."""

    def __init__(self):
        self.events: list[tuple[str, str, types.JSONRPCMessage | None]] = []

    async def store_event(self, stream_id, message):
        event_id = f"e{len(self.events) + 1}"
        self.events.append((event_id, stream_id, message))
        return event_id

    async def replay_events_after(self, last_event_id, send_callback):
        events = list(self.events)
        index = next((i for i, event in enumerate(events) if event[0] == last_event_id), None)
        if index is None:
            return None
        stream_id = events[index][1]
        for event_id, stream, message in events[index + 1:]:
            if stream == stream_id and message is not None:
                await send_callback(EventMessage(message, event_id))
        return stream_id


def session_id(ctx: Context) -> str:
    return (ctx.headers or {}).get("mcp-session-id", "")


async def listener_open(ctx: Context):
    """Waits (at most 10 s) until the client's GET stream for this session is open, so that
    what is sent on it is delivered rather than only stored."""
    transport = server.session_manager._server_instances.get(session_id(ctx))
    with anyio.fail_after(10):
        while transport is None or GET_STREAM_KEY not in transport._request_streams:
            await anyio.sleep(0.01)


async def on_this_stream(ctx: Context, request: types.ServerRequest, result_type):
    """A server-initiated request sent on the stream of the request being answered."""
    return await ctx.session.send_request(request, result_type, metadata=ServerMessageMetadata(related_request_id=ctx.request_id))


@server.tool()
async def count_with_progress(steps: int, ctx: Context) -> str:
    """Counts to `steps`, reporting progress at each step."""
    for step in range(1, steps + 1):
        await ctx.report_progress(step, steps, f"step {step} of {steps}")
    return f"counted to {steps}"


@server.tool()
async def ask_llm(question: str, ctx: Context) -> str:
    """Asks the client's model (sampling) and says what it answered."""
    result = await ctx.session.create_message(
        messages=[types.SamplingMessage(role="user", content=types.TextContent(type="text", text=question))],
        max_tokens=64, system_prompt="Answer briefly.", related_request_id=ctx.request_id,
    )
    return f"{result.model} answered: {result.content.text}"


class Booking(BaseModel):
    """What `book_table` asks the user (SEP-1034 defaults, SEP-1330 enums)."""

    name: str = Field(description="Who books")
    guests: int = Field(default=2, description="How many")
    seating: Literal["inside", "terrace"] = Field(default="inside", description="Where")
    confirm: bool = Field(default=True)


@server.tool()
async def book_table(ctx: Context) -> str:
    """Asks the user for the booking (elicitation) and says what they answered."""
    result = await ctx.elicit("Book a table?", schema=Booking)
    if result.action == "accept":
        return f"accept: {result.data.model_dump()}"
    return result.action


@server.tool()
async def list_roots_here(ctx: Context) -> str:
    """Asks for the client's roots on this call's stream."""
    result = await on_this_stream(ctx, types.ListRootsRequest(), types.ListRootsResult)
    return " ".join(f"{root.name}={root.uri}" for root in result.roots)


@server.tool()
async def list_roots_standalone(ctx: Context) -> str:
    """Asks for the client's roots on the session's GET stream."""
    await listener_open(ctx)
    result = await ctx.session.list_roots()
    return " ".join(f"{root.name}={root.uri}" for root in result.roots)


@server.tool()
async def ping_client(ctx: Context) -> str:
    """Pings the client, on this call's stream and on the GET stream."""
    await on_this_stream(ctx, types.PingRequest(), types.EmptyResult)
    await listener_open(ctx)
    await ctx.session.send_ping()
    return "the client answered both pings"


@server.tool()
async def log_messages(ctx: Context) -> str:
    """Logs at every level; the client gets those at or above the level it set."""
    threshold = LEVELS.index(log_levels.get(session_id(ctx), "debug"))
    sent = []
    for level in LEVELS[:5]:
        if LEVELS.index(level) >= threshold:
            await ctx.log(level, {"level": level, "text": f"a {level} message"}, logger_name="interactive")
            sent.append(level)
    return "logged " + " ".join(sent)


@server.tool()
async def add_tool(name: str, ctx: Context) -> str:
    """Adds a tool and says so on the GET stream (`notifications/tools/list_changed`)."""

    def added(text: str) -> str:
        return f"{name} says {text}"

    server.add_tool(added, name=name, description="A tool added at run time.")
    await listener_open(ctx)
    await ctx.session.send_tool_list_changed()
    return f"added {name}"


@server.tool()
async def touch_resource(uri: str, ctx: Context) -> str:
    """Changes a resource; a client subscribed to it hears `notifications/resources/updated`."""
    if uri not in subscriptions.get(session_id(ctx), set()):
        return f"{uri} changed, nobody subscribed"
    await listener_open(ctx)
    await ctx.session.send_resource_updated(uri)
    return f"{uri} changed, subscriber notified"


@server.tool()
async def rendezvous(group: str, size: int) -> str:
    """Answers once `size` calls of `group` are in progress at the same time (at most
    10 s): each call's stream is open while the others are."""
    arrived = anyio.Event()
    members = groups.setdefault(group, [])
    members.append(arrived)
    if len(members) >= size:
        for member in members:
            member.set()
    with anyio.fail_after(10):
        await arrived.wait()
    return f"{group}: {size} calls met"


@server.tool()
async def gated_stream(gate: str, ctx: Context) -> str:
    """Logs "before", waits (at most 20 s) until `open_gate` opens `gate`, logs "after" and
    answers: a stream a client can leave and resume in between."""
    opened = gates.setdefault(gate, anyio.Event())
    await ctx.log("info", f"{gate}: before", logger_name="interactive")
    with anyio.fail_after(20):
        await opened.wait()
    await ctx.log("info", f"{gate}: after", logger_name="interactive")
    return f"{gate} passed"


@server.tool()
def open_gate(gate: str) -> str:
    """Opens `gate` for `gated_stream`."""
    gates.setdefault(gate, anyio.Event()).set()
    return f"{gate} open"


@server.tool()
async def cancellable(name: str, ctx: Context) -> str:
    """Logs that it started, then waits (at most 20 s) to be cancelled by the client
    (`notifications/cancelled`), which `cancelled_calls` then lists."""
    await ctx.log("info", f"{name}: started", logger_name="interactive")
    try:
        await anyio.sleep(20)
    except anyio.get_cancelled_exc_class():
        cancelled.add(name)
        raise
    return f"{name} was never cancelled"


@server.tool()
def cancelled_calls() -> str:
    """The calls of `cancellable` that the client cancelled."""
    return " ".join(sorted(cancelled)) or "none"


@server.tool()
async def interrupted_stream(ctx: Context) -> str:
    """Reports progress, closes this call's stream (SSE polling: the client resumes with
    `Last-Event-ID` after the retry interval), reports more and answers."""
    await ctx.report_progress(1, 3, "before the break")
    await ctx.close_sse_stream()
    await ctx.report_progress(2, 3, "during the break")
    await ctx.report_progress(3, 3, "after the break")
    return "answered after the break"


@server.tool()
def show_image() -> Image:
    """A one-pixel PNG."""
    return Image(data=PIXEL, format="png")


@server.tool()
def embedded_resource() -> list[types.TextContent | types.EmbeddedResource]:
    """Text and an embedded resource."""
    return [
        types.TextContent(type="text", text="see the resource"),
        types.EmbeddedResource(type="resource", resource=types.TextResourceContents(uri="note://embedded", mime_type="text/plain", text="embedded text")),
    ]


@server.tool()
def failing_tool() -> str:
    """Always fails: the error is the tool's result."""
    raise ToolError("this tool always fails")


@server.resource("note://static", mime_type="text/plain")
def static_note() -> str:
    """A text resource."""
    return "a static note"


@server.resource("blob://pixel", mime_type="image/png")
def pixel() -> bytes:
    """A binary resource."""
    return PIXEL


@server.resource("greeting://{name}", mime_type="text/plain")
def greeting(name: str) -> str:
    """A resource template."""
    return f"Hello, {name}!"


@server.prompt()
def review(code: str, style: str = "terse") -> str:
    """A prompt with arguments."""
    return f"Review this code ({style}): {code}"


@server.completion()
async def complete(ref, argument, context):
    if argument.name == "style":
        return types.Completion(values=[v for v in ["terse", "thorough", "friendly"] if v.startswith(argument.value)])
    return None


async def set_level(ctx, params: types.SetLevelRequestParams) -> types.EmptyResult:
    log_levels[ctx.request.headers.get("mcp-session-id", "")] = params.level
    return types.EmptyResult()


async def subscribe(ctx, params: types.SubscribeRequestParams) -> types.EmptyResult:
    subscriptions.setdefault(ctx.request.headers.get("mcp-session-id", ""), set()).add(str(params.uri))
    return types.EmptyResult()


async def unsubscribe(ctx, params: types.UnsubscribeRequestParams) -> types.EmptyResult:
    subscriptions.get(ctx.request.headers.get("mcp-session-id", ""), set()).discard(str(params.uri))
    return types.EmptyResult()


server._lowlevel_server.add_request_handler("logging/setLevel", types.SetLevelRequestParams, set_level)
server._lowlevel_server.add_request_handler("resources/subscribe", types.SubscribeRequestParams, subscribe)
server._lowlevel_server.add_request_handler("resources/unsubscribe", types.UnsubscribeRequestParams, unsubscribe)


if __name__ == "__main__":
    port = int(sys.argv[1])
    security = TransportSecuritySettings(enable_dns_rebinding_protection=True, allowed_hosts=[f"127.0.0.1:{port}"], allowed_origins=[])
    # SSE answers (server-initiated requests need a stream), resumable, a short retry.
    app = server.streamable_http_app(json_response=False, event_store=MemoryEventStore(), retry_interval=100, transport_security=security)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")
