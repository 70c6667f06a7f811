"""Real peers on 127.0.0.1 for the proxy's integration tests: the nanoidp authorization
server, a recording MCP upstream, and the mcp-proxy binary with a config rendered by
mcp-runtime. Everything started here is stopped here."""
import json
import pathlib
import socket
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
BIN = ROOT / ".build" / "debug"
VENV = ROOT / ".build-venv" / "bin"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if requests.get(url, timeout=1).status_code < 500:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


class Recorder(BaseHTTPRequestHandler):
    seen = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        Recorder.seen.append({"method": "POST", "path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body})
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"jsonrpc":"2.0","id":1,"result":{"ok":true}}')

    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def upstream():
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()


@pytest.fixture(scope="session")
def idp(tmp_path_factory):
    directory = tmp_path_factory.mktemp("nanoidp")
    subprocess.run([VENV / "nanoidp", "init", directory / "cfg"], check=True, capture_output=True)
    port = free_port()
    settings_path = directory / "cfg" / "settings.yaml"
    settings = yaml.safe_load(settings_path.read_text())
    settings["server"]["port"] = port
    settings["oauth"]["issuer"] = f"http://127.0.0.1:{port}"
    settings["oauth"]["scopes_supported"] = ["openid", "mcp:tools", "weather:write"]
    settings["oauth"]["clients"] = [
        {"client_id": "agent", "client_secret": "agent-secret", "description": "granted"},
        {"client_id": "intruder", "client_secret": "intruder-secret", "description": "not granted"},
    ]
    settings_path.write_text(yaml.safe_dump(settings))
    log = open(directory / "nanoidp.log", "w")
    # nanoidp writes rotated keys below its working directory: keep them out of the checkout.
    process = subprocess.Popen([VENV / "nanoidp", "--config", directory / "cfg"], stdout=log, stderr=subprocess.STDOUT, cwd=directory)
    issuer = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{issuer}/.well-known/oauth-authorization-server")
        yield issuer
    finally:
        process.terminate()
        process.wait(timeout=10)


MANIFEST = """
apiVersion: mcpruntime.org/v1alpha1
kind: MCPServer
metadata: {{name: weather, namespace: team-a}}
spec:
  image: ghcr.io/acme/weather-mcp:1.0.0
  publicURL: http://127.0.0.1:{proxy_port}/mcp
  auth:
    mode: oauth
    issuerURL: {issuer}
    requiredScopes: [mcp:tools]
    scopesSupported: [mcp:tools, weather:write]
    allowedOrigins: [https://chat.example.com]
  tools:
    - {{name: get_forecast, sideEffect: read}}
    - {{name: set_alert, sideEffect: write, requiredTrust: medium, requiredScopes: [weather:write]}}
---
apiVersion: mcpruntime.org/v1alpha1
kind: MCPAccessGrant
metadata: {{name: agent, namespace: team-a}}
spec:
  serverRef: {{name: weather}}
  subject: {{humanID: agent}}
  maxTrust: medium
  allowedSideEffects: [read, write]
  disabled: {disabled}
"""


class Proxy:
    """mcp-proxy started with the config `mcp-runtime render` makes of `manifest` (a format
    string with {proxy_port}, {issuer} and {disabled}), changed by `edit` if given."""

    def __init__(self, directory, issuer, upstream_port, manifest=MANIFEST, edit=None):
        self.directory = directory
        self.issuer = issuer
        self.manifest = manifest
        self.edit = edit
        self.port = free_port()
        self.admin = free_port()
        self.config = directory / "config.json"
        self.url = f"http://127.0.0.1:{self.port}/mcp"
        self.render(disabled=False)
        self.audit = open(directory / "audit.log", "w")
        self.process = subprocess.Popen(
            [BIN / "mcp-proxy", "--config", self.config, "--listen", f"127.0.0.1:{self.port}",
             "--admin-listen", f"127.0.0.1:{self.admin}", "--upstream", f"http://127.0.0.1:{upstream_port}/mcp"],
            stdout=self.audit, stderr=open(directory / "proxy.log", "w"))
        wait_for(f"http://127.0.0.1:{self.admin}/healthz")

    def render(self, disabled):
        manifest = self.directory / "server.yaml"
        manifest.write_text(self.manifest.format(proxy_port=self.port, issuer=self.issuer, disabled=str(disabled).lower()))
        rendered = subprocess.run([BIN / "mcp-runtime", "render", "-f", manifest, "--proxy-config", "weather"], check=True, capture_output=True, text=True)
        config = json.loads(rendered.stdout)
        if self.edit:
            self.edit(config)
        self.config.write_text(json.dumps(config))

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture(scope="session")
def proxy(tmp_path_factory, idp, upstream):
    proxy = Proxy(tmp_path_factory.mktemp("proxy"), idp, upstream.server_address[1])
    yield proxy
    proxy.stop()


@pytest.fixture
def seen():
    Recorder.seen.clear()
    return Recorder.seen
