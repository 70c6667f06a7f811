"""A client cannot hold mcp-proxy's connections without making progress (slowloris):
partial and trickled heads, trickled bodies and idle keep-alive connections are closed
after the config's deadlines (set short here), and oversized heads are refused before
anything reaches the upstream. Every wait is bounded; nothing asserts a duration."""
import socket
import time

import pytest

from header_mode import request, running

LIMITS = {"requestHeadTimeoutSeconds": 1, "bodyTimeoutSeconds": 1, "keepAliveIdleSeconds": 2, "maxHeaderBytes": 4096, "maxHeaderCount": 20}
DEADLINE = 15  # far beyond every limit above: the test fails, never hangs


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    with running(tmp_path_factory.mktemp("deadlines"), edit=lambda config: config["limits"].update(LIMITS)) as stack:
        yield stack


def connect(proxy):
    conn = socket.create_connection(("127.0.0.1", proxy.port), timeout=DEADLINE)
    return conn


def closed_by_proxy(conn, trickle=None):
    """True once the proxy closes `conn`, sending `trickle` a byte at a time meanwhile;
    False if it is still open when the bounded wait ends."""
    end = time.time() + DEADLINE
    conn.settimeout(0.2)
    sent = 0
    while time.time() < end:
        try:
            if conn.recv(65536) == b"":
                return True
        except socket.timeout:
            pass
        except ConnectionResetError:
            return True
        if trickle is not None and sent < len(trickle):
            try:
                conn.send(trickle[sent:sent + 1])
            except (BrokenPipeError, ConnectionResetError):
                return True
            sent += 1
    return False


def test_an_incomplete_head_is_closed(stack):
    upstream, proxy = stack
    with connect(proxy) as conn:
        conn.sendall(b"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nX-MCP-Human-ID: alice\r\n")
        assert closed_by_proxy(conn)
    assert upstream.seen == []


def test_a_trickled_head_is_closed_although_bytes_keep_coming(stack):
    upstream, proxy = stack
    head = b"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\n" + b"X-Pad: " + b"a" * 200 + b"\r\n"
    with connect(proxy) as conn:
        assert closed_by_proxy(conn, trickle=head)
    assert upstream.seen == []


def test_a_trickled_body_is_closed(stack):
    upstream, proxy = stack
    with connect(proxy) as conn:
        conn.sendall(request("POST", b"{", ["X-MCP-Human-ID: alice", "Content-Type: application/json", "Content-Length: 400"]))
        assert closed_by_proxy(conn, trickle=b" " * 300)
    assert upstream.seen == []


def test_an_idle_keep_alive_connection_is_closed_after_an_exchange(stack):
    upstream, proxy = stack
    upstream.clear()
    with connect(proxy) as conn:
        conn.sendall(request("GET", headers=["X-MCP-Human-ID: alice"]))
        assert conn.recv(65536).startswith(b"HTTP/1.1 200")
        assert closed_by_proxy(conn)
    assert [r["method"] for r in upstream.seen] == ["GET"]


@pytest.mark.parametrize("headers", [
    [f"X-Many-{i}: 1" for i in range(30)],
    ["X-Big: " + "b" * 5000],
])
def test_oversized_heads_are_refused_before_the_upstream(stack, headers):
    upstream, proxy = stack
    upstream.clear()
    with connect(proxy) as conn:
        conn.sendall(request("GET", headers=["X-MCP-Human-ID: alice"] + headers))
        answer = conn.recv(65536)
        assert answer.startswith(b"HTTP/1.1 4"), answer
        assert closed_by_proxy(conn)
    assert upstream.seen == []
