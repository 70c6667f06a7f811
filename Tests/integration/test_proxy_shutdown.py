"""SIGTERM while a client holds a server event stream and another waits for a slow
answer: mcp-proxy stops accepting, ends the stream cleanly (the chunked body is
terminated, so the client sees an end, not an error), lets the slow request finish, says
so on standard error, and exits 0 well within the grace. Every wait is bounded."""
import signal
import threading
import time

import requests

from header_mode import start

DEADLINE = 20


def test_sigterm_ends_streams_and_finishes_requests(tmp_path):
    upstream, proxy = start(tmp_path)
    try:
        stream = requests.get(proxy.url, headers={"X-MCP-Human-ID": "alice", "Accept": "text/event-stream"}, stream=True, timeout=DEADLINE)
        assert stream.status_code == 200
        lines = stream.iter_lines()
        assert next(lines) == b"data: 0"

        slow = {}

        def post():
            slow["response"] = requests.post(proxy.url, data=b'{"jsonrpc":"2.0","id":1,"method":"tools/list"}',
                                             headers={"X-MCP-Human-ID": "alice", "Content-Type": "application/json", "X-Delay-Ms": "1500"}, timeout=DEADLINE)

        poster = threading.Thread(target=post)
        poster.start()
        end = time.time() + DEADLINE
        while not any(r["method"] == "POST" for r in upstream.seen) and time.time() < end:
            time.sleep(0.02)
        assert any(r["method"] == "POST" for r in upstream.seen), "the slow request reached the upstream"

        proxy.process.send_signal(signal.SIGTERM)
        stop = time.time() + DEADLINE
        ended = False
        for line in lines:  # ends cleanly, or raises
            assert not line or line.startswith(b"data: ")
            if time.time() > stop:
                break
        else:
            ended = True
        assert ended, "the event stream was still open after the deadline"
        poster.join(DEADLINE)
        assert slow["response"].status_code == 200, "the request in flight was answered"
        assert proxy.process.wait(timeout=DEADLINE) == 0
        log = (tmp_path / "proxy.log").read_text()
        assert "shutting down" in log and "stopped" in log
    finally:
        if proxy.process.poll() is None:
            proxy.process.kill()
            proxy.process.wait()
        upstream.stop()
