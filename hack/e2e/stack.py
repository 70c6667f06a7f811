"""The whole system as a user meets it, for hack/e2e.sh and hack/demo.sh: the Kubernetes
API emulator (kmock) over TLS with service-account tokens, an authorization server
(nanoidp) behind TLS with a private CA, an MCP server built with the official MCP SDK,
and the operator installed with `kubectl apply -k manifests/`; the operator's and every
proxy's pods run from the images hack/image.sh built, by the harness's kubelet
(kubelet.py) exactly as the Deployments read back from the API say. `Stack` is a context
manager: everything it started is stopped when it exits, whatever happened. docs/e2e.md
lists what the harness plays in place of a cluster."""
import json
import os
import pathlib
import secrets
import signal
import subprocess
import sys
import tempfile
import time

import requests
import yaml

from kubelet import APIClient, Kubelet, load_images
from network import CertificateAuthority, Relay, ServiceAddresses, free_port

ROOT = pathlib.Path(__file__).resolve().parents[2]
VENV = ROOT / ".build-venv" / "bin"
IMAGES = ROOT / ".build" / "images"
sys.path.insert(0, str(ROOT / "Tests" / "integration"))
from kube_emulator import RunningEmulator  # noqa: E402

NAMESPACE = "team-a"
OPERATOR_NAMESPACE = "mcp-runtime-system"
PRE_REGISTERED_REDIRECT = "http://127.0.0.1:1/callback"
SERVER = "weather"


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


def manifest(proxy_port, issuer, ca_pem):
    """The MCPServer (oauth, path-based canonical URI, the issuer's private CA) and the
    grants applied with kubectl."""
    ca = "\n".join("    " + line for line in ca_pem.strip().splitlines())
    return f"""apiVersion: v1
kind: Namespace
metadata: {{name: {NAMESPACE}}}
---
apiVersion: v1
kind: Secret
metadata: {{name: issuer-ca, namespace: {NAMESPACE}}}
stringData:
  ca.crt: |
{ca}
---
apiVersion: mcpruntime.org/v1alpha1
kind: MCPServer
metadata: {{name: {SERVER}, namespace: {NAMESPACE}}}
spec:
  image: ghcr.io/acme/weather-mcp:1.0.0
  publicURL: http://127.0.0.1:{proxy_port}/{SERVER}/mcp
  gateway: {{stripPrefix: /{SERVER}}}
  auth:
    mode: oauth
    issuerURL: {issuer}
    issuerCASecretRef: {{name: issuer-ca, key: ca.crt}}
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


def start_nanoidp(directory, spawn, clients, token_minutes=None, issuer=None, port=None):
    """nanoidp on 127.0.0.1 (a free port unless `port`) with dynamic registration on and
    the project's scopes; its issuer (`issuer` when it is served elsewhere, behind TLS)."""
    config = directory / "nanoidp"
    subprocess.run([VENV / "nanoidp", "init", config], check=True, capture_output=True)
    port = port or free_port()
    issuer = issuer or f"http://127.0.0.1:{port}"
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
    wait_until(lambda: requests.get(f"http://127.0.0.1:{port}/.well-known/oauth-authorization-server", timeout=1).ok, what="nanoidp serving")
    return issuer


class Stack:
    def __init__(self, mutate=None, rollout_timeout=90):
        self.dir = pathlib.Path(tempfile.mkdtemp(prefix="mcp-runtime-e2e-"))
        self.processes = []
        self.emulator = self.kubelet = self.relay = None
        self.services = ServiceAddresses()
        self.mutate, self.rollout_timeout = mutate, rollout_timeout

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
        if self.kubelet:
            self.kubelet.stop()
            self.kubelet = None
        for _, process in reversed(self.processes):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for name, process in reversed(self.processes):
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        self.processes.clear()
        if self.relay:
            self.relay.stop()
            self.relay = None
        if self.emulator:
            self.emulator.stop()
            self.emulator = None
        self.services.release()

    def _start(self):
        archives = sorted(IMAGES.glob("*.tar"))
        if not archives:
            raise RuntimeError(f"no images in {IMAGES}: run hack/image.sh first")
        self.images = load_images(archives)
        self.ca = CertificateAuthority(self.dir)
        # Every client of this process (requests, the SDK's httpx) trusts the cluster's CA.
        os.environ["REQUESTS_CA_BUNDLE"] = os.environ["SSL_CERT_FILE"] = str(self.ca.path)
        self._start_api()
        self.relay = Relay()
        self._start_idp()
        self._start_mcp_server()
        self.kubelet = Kubelet(
            self.api, self.dir, self.ca.pem, self.services.host_entries, (self.api_address, 443), self.token_for,
            played={(NAMESPACE, f"{SERVER}-server"): (self.server_address, 80)}, mutate=self.mutate,
        ).start()
        # The proxy's Service, reached the way a port-forward or an Ingress would: its ready pods.
        self.proxy_port = free_port()
        self.relay.listen("127.0.0.1", self.proxy_port, lambda: self.kubelet.endpoints(NAMESPACE, f"{SERVER}-proxy", "http"))
        self.url = f"http://127.0.0.1:{self.proxy_port}/{SERVER}/mcp"

    def _start_api(self):
        """The API server at the `kubernetes` Service's address, https with the cluster CA,
        accepting only the tokens it issued (the harness's own and each pod's)."""
        self.api_address = self.services.allocate("default", "kubernetes")
        self.tokens = set()
        admin = self._new_token()
        tls = self.ca.server_context("apiserver", [self.api_address], ["kubernetes", "kubernetes.default", "kubernetes.default.svc",
                                                                       "kubernetes.default.svc.cluster.local"])
        self.emulator = RunningEmulator(443, host=self.api_address, tls=tls, tokens=self.tokens).start()
        self.kubeconfig = self.emulator.write_kubeconfig(self.dir / "kubeconfig", namespace=NAMESPACE, ca_file=self.ca.path, token=admin)
        self.api = APIClient(self.emulator.url, self.ca.path, admin)
        self.issued = {}

    def _new_token(self):
        token = secrets.token_urlsafe(32)
        self.tokens.add(token)
        return token

    def token_for(self, namespace, account):
        """A service account's token, as the kubelet requests one for a pod (one per account)."""
        key = (namespace, account)
        if key not in self.issued:
            self.issued[key] = self._new_token()
        return self.issued[key]

    def _start_idp(self):
        """nanoidp on 127.0.0.1, served to everyone at https://ADDRESS with the private CA,
        as a company's authorization server behind its TLS terminator."""
        address = self.services.allocate("identity", "idp")
        self.issuer = f"https://{address}"
        port = free_port()
        self.relay.listen(address, 443, lambda: ("127.0.0.1", port), tls=self.ca.server_context("idp", [address]))
        start_nanoidp(self.dir, self._spawn, issuer=self.issuer, port=port, clients=[
            {"client_id": "robot", "client_secret": "robot-secret", "description": "a service that holds a grant"},
            # Pre-registered by an administrator, allowed every scope: nanoidp limits a dynamically
            # registered client to the scopes it registered with, so step-up needs this one.
            {"client_id": "weather-app", "client_secret": "weather-app-secret", "description": "a pre-registered MCP client",
             "token_endpoint_auth_method": "client_secret_post", "redirect_uris": [PRE_REGISTERED_REDIRECT]},
        ])
        wait_until(lambda: requests.get(f"{self.issuer}/.well-known/oauth-authorization-server", timeout=1).ok, what="nanoidp over TLS")

    def _start_mcp_server(self):
        """The MCP server's pods, played by the SDK server on the host at its Service's address."""
        self.server_address = self.services.allocate(NAMESPACE, f"{SERVER}-server")
        self.headers_file = self.dir / "upstream-headers.jsonl"
        self.headers_file.write_text("")
        names = [f"{SERVER}-server.{NAMESPACE}.svc{suffix}{port}" for suffix in ("", ".cluster.local") for port in ("", ":80")]
        self._spawn("mcp-server", [VENV / "python", ROOT / "hack" / "e2e" / "weather_mcp.py", self.server_address, 80, self.headers_file, *names])
        wait_until(lambda: self._port_open(self.server_address, 80), what="the MCP server listening")

    @staticmethod
    def _port_open(host, port):
        import socket
        with socket.socket() as s:
            return s.connect_ex((host, port)) == 0

    # -- Kubernetes --------------------------------------------------------------------

    def kubectl(self, *args, stdin=None):
        validate = ["--validate=false"] if args and args[0] == "apply" else []
        result = subprocess.run(["kubectl", "--kubeconfig", str(self.kubeconfig), *map(str, args), *validate],
                                input=stdin, capture_output=True, text=True, timeout=60)
        if result.returncode != 0:
            raise RuntimeError(f"kubectl {' '.join(map(str, args))}: {result.stderr.strip()}")
        return result.stdout

    def install_operator(self):
        """`kubectl apply -k` of an overlay on manifests/ that sets the images, as the README's
        install does; then the operator's Deployment rolled out by the kubelet."""
        overlay = self.dir / "install"
        overlay.mkdir()
        version = next(image.rsplit(":", 1)[1] for image in self.images if "/mcp-runtime:" in image)
        (overlay / "kustomization.yaml").write_text(yaml.safe_dump({
            "apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization",
            "resources": [os.path.relpath(ROOT / "manifests", overlay)],
            "images": [{"name": "ghcr.io/mcp-runtime/mcp-runtime", "newTag": version}],
        }))
        self.kubectl("apply", "-k", overlay)
        return self.kubelet.wait_rolled_out(OPERATOR_NAMESPACE, "mcp-runtime-operator", self.rollout_timeout)

    def get(self, path):
        response = self.api.get(path)
        return response.json() if response.ok else None

    def server_status(self):
        return (self.get(f"/apis/mcpruntime.org/v1alpha1/namespaces/{NAMESPACE}/mcpservers/{SERVER}") or {}).get("status") or {}

    def rendered_config(self):
        config_map = self.get(f"/api/v1/namespaces/{NAMESPACE}/configmaps/{SERVER}-proxy-config")
        return json.loads(config_map["data"]["config.json"]) if config_map else None

    # -- the proxy ---------------------------------------------------------------------

    def proxy_pods(self):
        return self.kubelet.pods_of(NAMESPACE, f"{SERVER}-proxy")

    def upstream_headers(self):
        return [json.loads(line) for line in self.headers_file.read_text().splitlines() if line]

    def audit(self):
        return [json.loads(line) for line in self.kubelet.logs(NAMESPACE, f"{SERVER}-proxy", "mcp-proxy") if line.startswith("{")]
