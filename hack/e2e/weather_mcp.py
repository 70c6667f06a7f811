"""The MCP server behind the proxy in the e2e run and the demo: built with the official MCP
Python SDK (PyPI `mcp`, pinned), one read tool and one write tool. Every request's headers
are appended as a JSON line to the file named on the command line, so the run can prove
that no client token ever reached it.

    python weather_mcp.py HOST PORT HEADERS_FILE [ALLOWED_HOST...]

ALLOWED_HOST: the Host values DNS-rebinding protection accepts (default HOST:PORT); the
end-to-end run passes its Service's names, which the proxy forwards with.
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
    host, port, headers_file = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    # The proxy forwards with the upstream's own Host; DNS-rebinding protection stays on.
    allowed_hosts = sys.argv[4:] or [f"{host}:{port}"]
    security = TransportSecuritySettings(enable_dns_rebinding_protection=True, allowed_hosts=allowed_hosts, allowed_origins=[])
    app = server.streamable_http_app(host=host, transport_security=security)
    uvicorn.run(RecordHeaders(app, headers_file), host=host, port=port, log_level="warning")
