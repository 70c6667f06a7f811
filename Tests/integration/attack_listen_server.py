"""An MCP server (official Python SDK) with a resource a grant may deny and a tool that
publishes an update of it to `subscriptions/listen` streams (protocol 2026-07-28), and
completions of a prompt a grant may deny.

    python attack_listen_server.py PORT
"""
import sys

import uvicorn
from mcp import types
from mcp.server.mcpserver import Context, MCPServer

server = MCPServer("listen")


@server.resource("weather://internal/ops")
def ops() -> str:
    return "the ops pager rota"


@server.resource("weather://public/today")
def today() -> str:
    return "sunny everywhere"


@server.tool()
async def get_forecast(city: str, ctx: Context) -> str:
    """Tomorrow's forecast; as a side effect the ops rota changes."""
    await ctx.notify_resource_updated("weather://internal/ops")
    return f"Tomorrow in {city}: sunny"


@server.prompt()
def ops_runbook(engineer: str) -> str:
    """The on-call runbook (a grant may deny it)."""
    return f"Page {engineer}."


@server.completion()
async def complete(ref, argument, context):
    # The completions of a prompt a grant may deny: who is on call.
    if getattr(ref, "name", None) == "ops_runbook" and argument.name == "engineer":
        return types.Completion(values=[name for name in ["oncall-ada", "oncall-bob"] if name.startswith(argument.value)])
    return None


if __name__ == "__main__":
    app = server.streamable_http_app(json_response=False)
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
