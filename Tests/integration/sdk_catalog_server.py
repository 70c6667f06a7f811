"""An MCP server built with the official MCP Python SDK (PyPI `mcp`, pinned) that offers a
bit of everything a list answer can carry: tools (one of them not declared in the
MCPServer's spec.tools), resources, resource templates and prompts. Its event store gives
every SSE event an id, as a resumable server's do.

    python sdk_catalog_server.py PORT json|sse
"""
import sys

import uvicorn
from mcp.server.mcpserver import MCPServer
from mcp.server.streamable_http import EventStore, EventMessage

server = MCPServer("catalog")


@server.tool()
def get_forecast(city: str) -> str:
    """Tomorrow's forecast for a city."""
    return f"Tomorrow in {city}: sunny"


@server.tool()
def set_alert(city: str, level: str) -> str:
    """Raise a weather alert (a write)."""
    return f"{level} alert set for {city}"


@server.tool()
def delete_alerts(city: str) -> str:
    """Delete every alert of a city (destructive)."""
    return f"alerts of {city} deleted"


@server.tool()
def debug_dump() -> str:
    """Not declared in the MCPServer's spec.tools."""
    return "internal state"


@server.resource("weather://public/today")
def today() -> str:
    return "sunny everywhere"


@server.resource("weather://internal/ops")
def ops() -> str:
    return "the ops pager rota"


@server.resource("weather://public/city/{name}")
def city(name: str) -> str:
    return f"weather of {name}"


@server.resource("weather://internal/station/{station}")
def station(station: str) -> str:
    return f"raw feed of {station}"


@server.prompt()
def forecast_summary(city: str) -> str:
    """Summarize the forecast."""
    return f"Summarize tomorrow's weather in {city}."


@server.prompt()
def ops_runbook() -> str:
    """The on-call runbook."""
    return "Page the on-call meteorologist."


class NumberedEvents(EventStore):
    """Keeps every event, numbered, so that each SSE event carries an `id:`."""

    def __init__(self):
        self.events = []

    async def store_event(self, stream_id, message):
        self.events.append((stream_id, message))
        return str(len(self.events))

    async def replay_events_after(self, last_event_id, send_callback):
        index = int(last_event_id)
        if not 0 < index <= len(self.events):
            return None
        stream = self.events[index - 1][0]
        for number, (stream_id, message) in enumerate(self.events[index:], start=index + 1):
            if stream_id == stream and message is not None:
                await send_callback(EventMessage(message, str(number)))
        return stream


if __name__ == "__main__":
    port, mode = int(sys.argv[1]), sys.argv[2]
    app = server.streamable_http_app(json_response=mode == "json", event_store=NumberedEvents())
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")
