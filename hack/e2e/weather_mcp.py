"""The MCP server behind the proxy in the e2e run and the demo: built with the official MCP
Python SDK (PyPI `mcp`, pinned), one read tool and one write tool. Every request's headers
are appended as a JSON line to the file named on the command line, so the run can prove
that no client token ever reached it.

    python weather_mcp.py PORT HEADERS_FILE
"""
import json
import sys

import uvicorn
from mcp.server.mcpserver import MCPServer
from mcp.server.transport_security import TransportSecuritySettings

server = MCPServer("weather")


@server.tool()
def get_forecast(city: str) -> str:
    """Tomorrow's forecast for a city."""
    return f"Tomorrow in {city}: sunny, 21 °C"


@server.tool()
def set_alert(city: str, level: str) -> str:
    """Raise a weather alert for a city (a write)."""
    return f"{level} alert set for {city}"


class RecordHeaders:
    """ASGI middleware: one JSON line of lower-cased request headers per HTTP request."""

    def __init__(self, app, path):
        self.app = app
        self.path = path

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
            with open(self.path, "a") as out:
                out.write(json.dumps({"path": scope["path"], "headers": headers}) + "\n")
        await self.app(scope, receive, send)


if __name__ == "__main__":
    port, headers_file = int(sys.argv[1]), sys.argv[2]
    # The proxy forwards with the upstream's own Host; DNS-rebinding protection stays on.
    security = TransportSecuritySettings(enable_dns_rebinding_protection=True, allowed_hosts=[f"127.0.0.1:{port}"], allowed_origins=[])
    app = server.streamable_http_app(host="127.0.0.1", transport_security=security)
    uvicorn.run(RecordHeaders(app, headers_file), host="127.0.0.1", port=port, log_level="warning")
