"""mcp-proxy's request boundary over real sockets, against a keep-alive upstream that
reads requests the way an HTTP/1.1 server does: no method the endpoint does not answer
and no body the proxy did not frame ever reaches it (request smuggling), no body on a
method that carries none, and no header a CGI-style server folds into an identity."""
import json

import pytest
import requests

from header_mode import Audit, exchange, request, running

CALL = json.dumps({"jsonrpc": "2.0", "id": 7, "method": "tools/call", "params": {"name": "get_forecast", "arguments": {}}}).encode()
ALICE = "X-MCP-Human-ID: alice"


def smuggled(human="mallory"):
    """A forged tools/call that an upstream would read as a request of its own."""
    body = json.dumps({"jsonrpc": "2.0", "id": 66, "method": "tools/call", "params": {"name": "delete_alerts"}}).encode()
    return request("POST", body, ["Content-Type: application/json", f"X-MCP-Human-ID: {human}", "X-MCP-Trust: high", f"Content-Length: {len(body)}"])


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    with running(tmp_path_factory.mktemp("boundary")) as stack:
        yield stack


@pytest.fixture
def upstream(stack):
    stack[0].clear()
    return stack[0]


@pytest.fixture
def proxy(stack):
    return stack[1]


def legit(close=True):
    return request("POST", CALL, ["Content-Type: application/json", ALICE, f"Content-Length: {len(CALL)}"], close=close)


def assert_only_the_legit_call(upstream):
    seen = upstream.seen
    assert [(r["method"], r["body"]) for r in seen] == [("POST", CALL)], seen
    assert seen[0]["headers"]["x-mcp-human-id"] == "alice"
    assert "x-mcp-trust" not in seen[0]["headers"]


@pytest.mark.parametrize("method", ["TRACE", "PUT", "PATCH", "PROPFIND", "SEARCH"])
def test_methods_the_endpoint_does_not_answer_never_reach_the_upstream(proxy, upstream, method):
    body = smuggled()
    raw = request(method, body, [ALICE, f"Content-Length: {len(body)}"]) + legit()
    answers = exchange(proxy.port, raw, [method, "POST"])
    assert [a["status"] for a in answers] == [405, 200], answers
    assert answers[0]["headers"]["allow"] == "GET, POST, DELETE, OPTIONS"
    assert_only_the_legit_call(upstream)


@pytest.mark.parametrize("method", ["get", "post", "Delete"])
def test_methods_are_case_sensitive(proxy, upstream, method):
    """`get` is no GET (RFC 9110 §9.1): refused by the parser (400, connection closed) or
    by the proxy (405), never forwarded as the method an upstream may fold it into."""
    body = smuggled()
    answers = exchange(proxy.port, request(method, body, [ALICE, f"Content-Length: {len(body)}"]) + legit(), [method, "POST"])
    assert answers and answers[0]["status"] in (400, 405), answers
    assert all(r["body"] == CALL for r in upstream.seen), upstream.seen


def test_head_is_refused_and_its_body_never_forwarded(proxy, upstream):
    body = smuggled()
    answers = exchange(proxy.port, request("HEAD", body, [ALICE, f"Content-Length: {len(body)}"]) + legit(), ["HEAD", "POST"])
    assert [a["status"] for a in answers] == [405, 200], answers
    assert_only_the_legit_call(upstream)


@pytest.mark.parametrize("method", ["GET", "DELETE", "OPTIONS"])
def test_a_body_on_a_method_that_carries_none_is_refused(proxy, upstream, method):
    body = smuggled()
    raw = request(method, body, [ALICE, "Mcp-Session-Id: s1", f"Content-Length: {len(body)}"]) + legit()
    answers = exchange(proxy.port, raw, [method, "POST"])
    assert [a["status"] for a in answers] == [400, 200], answers
    assert_only_the_legit_call(upstream)


@pytest.mark.parametrize("method", ["GET", "DELETE"])
def test_a_chunked_body_on_a_method_that_carries_none_is_refused(proxy, upstream, method):
    inner = smuggled()
    chunked = f"{len(inner):x}\r\n".encode() + inner + b"\r\n0\r\n\r\n"
    answers = exchange(proxy.port, request(method, chunked, [ALICE, "Transfer-Encoding: chunked"]) + legit(), [method, "POST"])
    assert [a["status"] for a in answers] == [400, 200], answers
    assert_only_the_legit_call(upstream)


def test_a_long_declared_body_cannot_capture_the_next_callers_request(proxy, upstream):
    """The attack that captured another caller's request: a hostile request whose body an
    upstream would keep reading into the next request on the pooled connection."""
    first = request("TRACE", b"POST /mcp HTTP/1.1\r\nHost: x\r\nContent-Length: 4000\r\n\r\n", [ALICE, "Content-Length: 52"], close=True)
    assert [a["status"] for a in exchange(proxy.port, first, ["TRACE"])] == [405]
    response = requests.post(proxy.url, data=CALL, headers={"Content-Type": "application/json", "X-MCP-Human-ID": "alice"}, timeout=10)
    assert response.status_code == 200
    assert response.json()["result"] == {"seen": 1}, "the caller got its own answer"
    assert_only_the_legit_call(upstream)


def test_get_and_delete_without_a_body_are_forwarded_without_one(proxy, upstream):
    for method in ["GET", "DELETE"]:
        response = requests.request(method, proxy.url, headers={"X-MCP-Human-ID": "alice"}, timeout=10)
        assert response.status_code == 200, response.text
    seen = upstream.seen
    assert [r["method"] for r in seen] == ["GET", "DELETE"]
    assert all(r["body"] == b"" and "content-length" not in r["headers"] and "transfer-encoding" not in r["headers"] for r in seen)


@pytest.mark.parametrize("name", ["X_MCP_Human_ID", "x_mcp_human_id", "X_Forwarded_User", "X-Forwarded-User", "X-Auth-Request-User", "Remote-User"])
def test_identity_header_variants_never_reach_the_upstream(proxy, upstream, name):
    raw = request("POST", CALL, ["Content-Type: application/json", ALICE, f"{name}: admin", f"Content-Length: {len(CALL)}"], close=True)
    assert [a["status"] for a in exchange(proxy.port, raw, ["POST"])] == [200]
    forwarded = upstream.seen[0]["raw_headers"]
    assert not [h for h in forwarded if h[1] == "admin"], forwarded
    assert not [h for h in forwarded if "_" in h[0]], "a name a CGI-style server folds into another"
    # What a WSGI server makes of the headers it got: exactly one human id, alice's.
    environ = {"HTTP_" + k.upper().replace("-", "_"): v for k, v in forwarded}
    assert environ["HTTP_X_MCP_HUMAN_ID"] == "alice"


def test_fields_the_upstream_lists_in_connection_are_not_passed_to_the_client(proxy, upstream):
    headers = {"Content-Type": "application/json", "X-MCP-Human-ID": "alice", "X-Answer-Connection-Listed": "1"}
    response = requests.post(proxy.url, data=CALL, headers=headers, timeout=10)
    assert response.status_code == 200
    assert "X-Upstream-Internal" not in response.headers
    assert upstream.seen[0]["headers"]["x-answer-connection-listed"] == "1", "the upstream did list it"


def test_duplicate_members_are_refused_with_no_identity_at_all(proxy, upstream):
    audit = Audit(proxy)
    body = b'{"jsonrpc":"2.0","id":1,"method":"tools/list","method":"tools/call","params":{"name":"delete_alerts"}}'
    response = requests.post(proxy.url, data=body, headers={"Content-Type": "application/json"}, timeout=10)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == -32600
    line = audit.next()
    assert line["reason"] == "invalid_message" and line["status"] == 400
    assert upstream.seen == []


INITIALIZE = b'{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}'


def test_mcp_sessions_are_bound_to_the_caller_that_created_them(proxy, upstream):
    headers = {"Content-Type": "application/json", "X-MCP-Human-ID": "alice"}
    created = requests.post(proxy.url, data=INITIALIZE, headers=headers, timeout=10)
    assert created.status_code == 200
    upstream_id = "upstream-session-1"
    sealed = created.headers["Mcp-Session-Id"]
    assert sealed != upstream_id and upstream_id not in sealed, "the client never sees the upstream's id"

    assert requests.post(proxy.url, data=CALL, headers={**headers, "Mcp-Session-Id": sealed}, timeout=10).status_code == 200
    assert upstream.seen[1]["headers"]["mcp-session-id"] == upstream_id

    # Another caller with alice's id, and anyone with the upstream's own id: 404, never forwarded.
    for human, session in [("bob", sealed), ("alice", upstream_id), ("alice", sealed[:-2] + "AA")]:
        refused = requests.post(proxy.url, data=CALL, headers={**headers, "X-MCP-Human-ID": human, "Mcp-Session-Id": session}, timeout=10)
        assert refused.status_code == 404, (human, session)
    refused = requests.delete(proxy.url, headers={"X-MCP-Human-ID": "bob", "Mcp-Session-Id": sealed}, timeout=10)
    assert refused.status_code == 404
    assert len(upstream.seen) == 2


def utf7(text):
    """`"` as UTF-7 spells it (+ACI-): what an upstream decoding by the declared charset reads as a quote."""
    return text.replace('"', "+ACI-")


@pytest.mark.parametrize("content_type", ["application/json; charset=utf-7", "application/json; charset=utf-7-imap", "application/json; charset=utf-16"])
def test_a_charset_other_than_utf8_is_refused(proxy, upstream, content_type):
    """The body reads as ping to a UTF-8 reader and as tools/call delete_alerts to a UTF-7 one."""
    hidden = utf7('","method":"tools/call","params":{"name":"delete_alerts","arguments":{}},"z":"')
    body = ('{"jsonrpc":"2.0","id":1,"method":"ping","x":"' + hidden + '"}').encode()
    raw = request("POST", body, [ALICE, f"Content-Type: {content_type}", f"Content-Length: {len(body)}"], close=True)
    assert [a["status"] for a in exchange(proxy.port, raw, ["POST"])] == [415]
    assert upstream.seen == []


def test_a_content_coding_is_refused(proxy, upstream):
    raw = request("POST", CALL, [ALICE, "Content-Type: application/json", "Content-Encoding: gzip", f"Content-Length: {len(CALL)}"], close=True)
    assert [a["status"] for a in exchange(proxy.port, raw, ["POST"])] == [415]
    assert upstream.seen == []


def test_a_repeated_identity_header_is_refused(proxy, upstream):
    raw = request("POST", CALL, ["Content-Type: application/json", "X-MCP-Human-ID: mallory", ALICE, f"Content-Length: {len(CALL)}"], close=True)
    assert [a["status"] for a in exchange(proxy.port, raw, ["POST"])] == [400]
    assert upstream.seen == []
