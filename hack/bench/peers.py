"""Peers for hack/bench.sh: nginx (Debian nginx-light) as the fixed upstream and as the plain
reverse proxy to compare with, an SSE upstream, and the official MCP Python SDK's own
bearer-auth server. Each runs as a process on 127.0.0.1 and is stopped by the caller."""
import json
import pathlib
import subprocess
import sys

UPSTREAM_BODY = '{"jsonrpc":"2.0","id":7,"result":{"content":[{"type":"text","text":"sunny"}],"isError":false}}'
# A tools/list answer of 20 tools as an SDK server writes them (name, description, input
# schema), the granted get_forecast among them: what the proxy filters on /list.
LIST_TOOLS = ["get_forecast"] + [f"tool_{n:02d}" for n in range(19)]
LIST_BODY = json.dumps({"jsonrpc": "2.0", "id": 8, "result": {"tools": [
    {"name": name, "description": f"{name}, a tool of the benchmark's catalogue.",
     "inputSchema": {"type": "object", "properties": {"city": {"type": "string", "title": "City"}}, "required": ["city"]}}
    for name in LIST_TOOLS]}}, separators=(",", ":"))


def nginx(directory: pathlib.Path, name: str, server_block: str):
    """An nginx master with 2 workers (one per core) serving `server_block`."""
    prefix = directory / name
    (prefix / "logs").mkdir(parents=True, exist_ok=True)
    conf = prefix / "nginx.conf"
    conf.write_text(f"""worker_processes 2;
pid {prefix}/nginx.pid;
error_log {prefix}/logs/error.log warn;
events {{ worker_connections 4096; }}
http {{
  access_log off;
  client_body_temp_path {prefix}/body;
  proxy_temp_path {prefix}/proxy;
  fastcgi_temp_path {prefix}/fastcgi;
  uwsgi_temp_path {prefix}/uwsgi;
  scgi_temp_path {prefix}/scgi;
  keepalive_requests 1000000;
  {server_block}
}}
""")
    return subprocess.Popen(["nginx", "-p", str(prefix), "-c", str(conf), "-g", "daemon off;"], stderr=open(prefix / "stderr.log", "w"))


def upstream_block(port):
    body = UPSTREAM_BODY.replace("'", "\\'")
    listing = LIST_BODY.replace("'", "\\'")
    return f"""server {{
    listen 127.0.0.1:{port};
    location / {{ default_type application/json; return 200 '{body}'; }}
    location /list {{ default_type application/json; return 200 '{listing}'; }}
  }}"""


def proxy_block(port, upstream):
    return f"""upstream mcp {{ server 127.0.0.1:{upstream}; keepalive 64; }}
  server {{
    listen 127.0.0.1:{port};
    location / {{ proxy_pass http://mcp; proxy_http_version 1.1; proxy_set_header Connection ""; }}
  }}"""


SDK_SERVER = r'''
import sys
import jwt
import uvicorn
from mcp.server.auth.provider import AccessToken
from mcp.server.auth.settings import AuthSettings
from mcp.server.mcpserver import MCPServer

port, issuer, resource, jwks_url = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
keys = jwt.PyJWKClient(jwks_url, cache_keys=True)


class Verifier:
    """RS256 JWTs from the issuer, for this resource: what a user would write with the SDK."""

    async def verify_token(self, token):
        try:
            key = keys.get_signing_key_from_jwt(token)
            claims = jwt.decode(token, key.key, algorithms=["RS256"], audience=resource, issuer=issuer)
        except jwt.PyJWTError:
            return None
        return AccessToken(token=token, client_id=claims.get("client_id", ""), scopes=claims.get("scope", "").split(), expires_at=claims.get("exp"))


server = MCPServer("weather", token_verifier=Verifier(), auth=AuthSettings(issuer_url=issuer, resource_server_url=resource, required_scopes=["mcp:tools"]))


@server.tool()
def get_forecast(city: str) -> str:
    return "sunny"


app = server.streamable_http_app(host="127.0.0.1", stateless_http=True, json_response=True)
uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
'''


def sdk_server(directory: pathlib.Path, port, issuer, resource, jwks_url):
    script = directory / "sdk_server.py"
    script.write_text(SDK_SERVER)
    return subprocess.Popen([sys.executable, str(script), str(port), issuer, resource, jwks_url], stderr=open(directory / "sdk-server.log", "w"))


SSE_SERVER = r'''
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(b'event: message\ndata: {"jsonrpc":"2.0","id":7,"result":{"tools":[{"name":"get_forecast"},{"name":"set_alert"}]}}\n\n')
        self.wfile.flush()

    def log_message(self, *args):
        pass


ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
'''


def sse_server(directory: pathlib.Path, port):
    script = directory / "sse_server.py"
    script.write_text(SSE_SERVER)
    return subprocess.Popen([sys.executable, str(script), str(port)], stderr=open(directory / "sse-server.log", "w"))


def wrk_script(directory: pathlib.Path, name, body, headers):
    path = directory / f"{name}.lua"
    lines = ['wrk.method = "POST"', f"wrk.body = {json.dumps(body)}"]
    lines += [f'wrk.headers[{json.dumps(k)}] = {json.dumps(v)}' for k, v in headers.items()]
    path.write_text("\n".join(lines) + "\n")
    return path
