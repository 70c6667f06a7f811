"""The whole system on 127.0.0.1, as a user meets it, for hack/e2e.sh and hack/demo.sh:
the Kubernetes API emulator (kmock), an authorization server (nanoidp), an MCP server
built with the official MCP SDK, `mcp-runtime operator` against the emulator, and
`mcp-proxy` started with the config the operator rendered. `Stack` is a context manager:
everything it started is stopped when it exits, whatever happened."""
import json
import os
import pathlib
import signal
import socket
import subprocess
import sys
import tempfile
import time

import requests
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
# hack/bench.sh points this at the release build.
BIN = pathlib.Path(os.environ.get("MCP_RUNTIME_BIN", ROOT / ".build" / "debug"))
VENV = ROOT / ".build-venv" / "bin"
sys.path.insert(0, str(ROOT / "Tests" / "integration"))
from kube_emulator import RunningEmulator  # noqa: E402

NAMESPACE = "team-a"
PRE_REGISTERED_REDIRECT = "http://127.0.0.1:1/callback"
SERVER = "weather"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(check, timeout=30, what="it", interval=0.05):
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        try:
            last = check()
            if last:
                return last
        except requests.RequestException as error:
            last = error
        time.sleep(interval)
    raise RuntimeError(f"{what} did not happen within {timeout}s (last: {last!r})")


def manifest(proxy_port, issuer):
    """The MCPServer (oauth, path-based canonical URI) and the grants applied with kubectl."""
    return f"""apiVersion: mcpruntime.org/v1alpha1
kind: MCPServer
metadata: {{name: {SERVER}, namespace: {NAMESPACE}}}
spec:
  image: ghcr.io/acme/weather-mcp:1.0.0
  publicURL: http://127.0.0.1:{proxy_port}/{SERVER}/mcp
  auth:
    mode: oauth
    issuerURL: {issuer}
    requiredScopes: [mcp:tools]
    scopesSupported: [mcp:tools, weather:write]
  tools:
    - {{name: get_forecast, sideEffect: read}}
    - {{name: set_alert, sideEffect: write, requiredTrust: medium, requiredScopes: [weather:write]}}
---
apiVersion: mcpruntime.org/v1alpha1
kind: MCPAccessGrant
metadata: {{name: testuser-weather, namespace: {NAMESPACE}}}
spec:
  serverRef: {{name: {SERVER}}}
  subject: {{humanID: testuser}}
  maxTrust: medium
  allowedSideEffects: [read, write]
---
apiVersion: mcpruntime.org/v1alpha1
kind: MCPAccessGrant
metadata: {{name: robot-weather, namespace: {NAMESPACE}}}
spec:
  serverRef: {{name: {SERVER}}}
  subject: {{humanID: robot}}
  maxTrust: low
  allowedSideEffects: [read]
"""


def start_nanoidp(directory, spawn, clients, token_minutes=None):
    """nanoidp on a free port with dynamic registration on and the project's scopes; its issuer."""
    config = directory / "nanoidp"
    subprocess.run([VENV / "nanoidp", "init", config], check=True, capture_output=True)
    port = free_port()
    issuer = f"http://127.0.0.1:{port}"
    settings_path = config / "settings.yaml"
    settings = yaml.safe_load(settings_path.read_text())
    settings["server"]["port"] = port
    settings["oauth"]["issuer"] = issuer
    settings["oauth"]["scopes_supported"] = ["openid", "offline_access", "mcp:tools", "weather:write"]
    settings["oauth"]["dynamic_registration"] = {"enabled": True}
    settings["oauth"]["clients"] = clients
    if token_minutes:
        settings["oauth"]["token_expiry_minutes"] = token_minutes
    settings_path.write_text(yaml.safe_dump(settings))
    # nanoidp writes rotated keys below its working directory: the temporary folder.
    spawn("nanoidp", [VENV / "nanoidp", "--config", config], cwd=directory)
    wait_until(lambda: requests.get(f"{issuer}/.well-known/oauth-authorization-server", timeout=1).ok, what="nanoidp serving")
    return issuer


class Stack:
    def __init__(self):
        self.dir = pathlib.Path(tempfile.mkdtemp(prefix="mcp-runtime-e2e-"))
        self.processes = []
        self.emulator = None

    # -- lifecycle -------------------------------------------------------------------

    def __enter__(self):
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc):
        self.stop()

    def _spawn(self, name, args, **kwargs):
        log = open(self.dir / f"{name}.log", "w")
        process = subprocess.Popen([str(a) for a in args], stdout=kwargs.pop("stdout", log), stderr=log, **kwargs)
        self.processes.append((name, process))
        return process

    def stop(self):
        for _, process in reversed(self.processes):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for name, process in reversed(self.processes):
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        self.processes.clear()
        if self.emulator:
            self.emulator.stop()
            self.emulator = None

    def _start(self):
        self.proxy_port, self.proxy_admin = free_port(), free_port()
        self.emulator = RunningEmulator(free_port()).start()
        self.api = self.emulator.url
        self.kubeconfig = self.emulator.write_kubeconfig(self.dir / "kubeconfig", namespace=NAMESPACE)
        self._start_idp()
        self.upstream_port = free_port()
        self.headers_file = self.dir / "upstream-headers.jsonl"
        self.headers_file.write_text("")
        self._spawn("mcp-server", [VENV / "python", ROOT / "hack" / "e2e" / "weather_mcp.py", self.upstream_port, self.headers_file])
        self.operator_admin = free_port()
        self._spawn("operator", [BIN / "mcp-runtime", "operator", "--kubeconfig", self.kubeconfig, "--admin-listen", f"127.0.0.1:{self.operator_admin}"])
        wait_until(lambda: requests.get(f"http://127.0.0.1:{self.operator_admin}/readyz", timeout=1).ok, what="the operator becoming ready")
        wait_until(lambda: self._port_open(self.upstream_port), what="the MCP server listening")

    def _start_idp(self):
        self.issuer = start_nanoidp(self.dir, self._spawn, clients=[
            {"client_id": "robot", "client_secret": "robot-secret", "description": "a service that holds a grant"},
            # Pre-registered by an administrator, allowed every scope: nanoidp limits a dynamically
            # registered client to the scopes it registered with, so step-up needs this one.
            {"client_id": "weather-app", "client_secret": "weather-app-secret", "description": "a pre-registered MCP client",
             "token_endpoint_auth_method": "client_secret_post", "redirect_uris": [PRE_REGISTERED_REDIRECT]},
        ])

    @staticmethod
    def _port_open(port):
        with socket.socket() as s:
            return s.connect_ex(("127.0.0.1", port)) == 0

    # -- Kubernetes --------------------------------------------------------------------

    def kubectl(self, *args, stdin=None):
        validate = ["--validate=false"] if args and args[0] == "apply" else []
        result = subprocess.run(["kubectl", "--kubeconfig", str(self.kubeconfig), *map(str, args), *validate],
                                input=stdin, capture_output=True, text=True, timeout=60)
        if result.returncode != 0:
            raise RuntimeError(f"kubectl {' '.join(map(str, args))}: {result.stderr.strip()}")
        return result.stdout

    def get(self, path):
        response = requests.get(self.api + path, timeout=5)
        return response.json() if response.ok else None

    def server_status(self):
        return (self.get(f"/apis/mcpruntime.org/v1alpha1/namespaces/{NAMESPACE}/mcpservers/{SERVER}") or {}).get("status") or {}

    def rendered_config(self):
        config_map = self.get(f"/api/v1/namespaces/{NAMESPACE}/configmaps/{SERVER}-proxy-config")
        return json.loads(config_map["data"]["config.json"]) if config_map else None

    # -- the proxy ---------------------------------------------------------------------

    def start_proxy(self, config):
        """mcp-proxy exactly as the operator's Deployment runs it: the rendered config file,
        and its ConfigMap followed through the API."""
        path = self.dir / "config.json"
        path.write_text(json.dumps(config))
        self._spawn("mcp-proxy", [
            BIN / "mcp-proxy", "--config", path, "--listen", f"127.0.0.1:{self.proxy_port}",
            "--admin-listen", f"127.0.0.1:{self.proxy_admin}", "--upstream", f"http://127.0.0.1:{self.upstream_port}/mcp",
            "--config-map", f"{NAMESPACE}/{SERVER}-proxy-config", "--kubeconfig", self.kubeconfig,
        ], stdout=open(self.dir / "audit.log", "w"))
        wait_until(lambda: requests.get(f"http://127.0.0.1:{self.proxy_admin}/readyz", timeout=1).ok, what="mcp-proxy ready")
        self.url = f"http://127.0.0.1:{self.proxy_port}/{SERVER}/mcp"

    def upstream_headers(self):
        return [json.loads(line) for line in self.headers_file.read_text().splitlines() if line]

    def audit(self):
        return [json.loads(line) for line in (self.dir / "audit.log").read_text().splitlines() if line.startswith("{")]
