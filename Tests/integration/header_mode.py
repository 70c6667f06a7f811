"""A header-mode mcp-proxy in front of a keep-alive upstream that records every request
it parses from the bytes it receives, as a real HTTP/1.1 server would read them: what a
smuggled request or a folded header would look like to the MCP server behind the proxy."""
import contextlib
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from conftest import Proxy, free_port

MANIFEST = """
apiVersion: mcpruntime.org/v1alpha1
kind: MCPServer
metadata: {{name: weather, namespace: team-a}}
spec:
  image: ghcr.io/acme/weather-mcp:1.0.0
  publicURL: http://127.0.0.1:{proxy_port}/mcp
  auth: {{mode: header}}
  tools:
    - {{name: get_forecast, sideEffect: read}}
    - {{name: delete_alerts, sideEffect: destructive, requiredTrust: high}}
---
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


class KeepAliveRecorder(BaseHTTPRequestHandler):
    """HTTP/1.1 with keep-alive, framing by Content-Length only (as many servers do for a
    request without Transfer-Encoding): bytes after a request's declared body are read as
    the next request."""

    protocol_version = "HTTP/1.1"
    seen = []
    lock = threading.Lock()

    def handle_one(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        record = {"method": self.command, "path": self.path, "raw_headers": list(self.headers.items()),
                  "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body}
        with type(self).lock:
            type(self).seen.append(record)
        if self.command == "GET" and self.headers.get("Accept") == "text/event-stream":
            return self.stream_events()
        if "X-Delay-Ms" in self.headers:
            time.sleep(int(self.headers["X-Delay-Ms"]) / 1000)
        answer = json.dumps({"jsonrpc": "2.0", "id": 1, "result": {"seen": len(type(self).seen)}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        if b'"initialize"' in body:
            # Streamable HTTP: the server names the session in its answer to initialize.
            self.send_header("Mcp-Session-Id", f"upstream-session-{len(type(self).seen)}")
        if "X-Answer-Connection-Listed" in self.headers:
            # Hop-by-hop for this answer only (RFC 9110 §7.6.1): never for the proxy's client.
            self.send_header("Connection", "keep-alive, X-Upstream-Internal")
            self.send_header("X-Upstream-Internal", "node-7")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(answer)

    def stream_events(self, count=600, every=0.1):
        """A server event stream that outlasts any test: an event every 100 ms, for at
        most a minute, until the reader goes away."""
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        try:
            for n in range(count):
                event = f"data: {n}\n\n".encode()
                self.wfile.write(f"{len(event):x}\r\n".encode() + event + b"\r\n")
                time.sleep(every)
            self.wfile.write(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    do_POST = do_GET = do_DELETE = do_PUT = do_PATCH = do_TRACE = do_HEAD = do_OPTIONS = do_PROPFIND = do_SEARCH = handle_one

    def log_message(self, *args):
        pass


class Upstream:
    def __init__(self):
        # A handler class of its own: what one upstream saw is never another's.
        self.handler = type("Recorder", (KeepAliveRecorder,), {"seen": [], "lock": threading.Lock()})
        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), self.handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.port = self.server.server_address[1]

    @property
    def seen(self):
        with self.handler.lock:
            return list(self.handler.seen)

    def clear(self):
        with self.handler.lock:
            self.handler.seen.clear()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def start(directory, edit=None):
    upstream = Upstream()
    try:
        return upstream, Proxy(directory, "unused", upstream.port, manifest=MANIFEST, edit=edit)
    except Exception:
        upstream.stop()
        raise


@contextlib.contextmanager
def running(directory, edit=None):
    """`start`, and both stopped afterwards."""
    upstream, proxy = start(directory, edit)
    try:
        yield upstream, proxy
    finally:
        proxy.stop()
        upstream.stop()


class Audit:
    """The proxy's audit lines, read as they are written."""

    def __init__(self, proxy):
        self.path = proxy.directory / "audit.log"
        self.offset = self.path.stat().st_size

    def next(self, timeout=10):
        """The next audit line, waiting until it is written (each is one whole write)."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            with open(self.path, "rb") as file:
                file.seek(self.offset)
                data = file.read()
            if b"\n" in data:
                line, _ = data.split(b"\n", 1)
                self.offset += len(line) + 1
                return json.loads(line)
            time.sleep(0.01)
        raise AssertionError("no audit line was written")


def exchange(port, raw, methods, timeout=10):
    """Sends raw bytes on one connection (the last request saying `Connection: close`),
    reads until the proxy closes it, and returns the answers, one per method in `methods`
    as far as they came (a HEAD answer has no body whatever its Content-Length says)."""
    data = b""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as conn:
        conn.sendall(raw)
        while chunk := conn.recv(65536):
            data += chunk
    answers = []
    for method in methods:
        head, sep, rest = data.partition(b"\r\n\r\n")
        if not sep:
            break
        lines = head.decode("latin-1").split("\r\n")
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = 0 if method == "HEAD" else int(headers.get("content-length", "0"))
        answers.append({"status": int(lines[0].split()[1]), "headers": headers, "body": rest[:length]})
        data = rest[length:]
    return answers


def request(method, body=b"", headers=(), close=False, path="/mcp"):
    """One raw HTTP/1.1 request, its Content-Length as given in `headers` or none."""
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1"] + list(headers) + (["Connection: close"] if close else [])
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body
