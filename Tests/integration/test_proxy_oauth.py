"""mcp-proxy in oauth mode against a real authorization server (nanoidp): hostile and
edge requests, each checked for its status, its exact challenge, and what the upstream
received (nothing when refused, never the client's token when forwarded)."""
import base64
import hashlib
import hmac
import http.client
import json
import time

import pytest
import requests
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

CALL = {"jsonrpc": "2.0", "id": 7, "method": "tools/call", "params": {"name": "get_forecast", "arguments": {}}}


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def token(issuer, resource, scope="mcp:tools", client=("agent", "agent-secret")):
    data = {"grant_type": "client_credentials", "scope": scope}
    if resource:
        data["resource"] = resource
    response = requests.post(f"{issuer}/token", data=data, auth=client, timeout=10)
    response.raise_for_status()
    return response.json()["access_token"]


def parts(jwt):
    header, payload, _ = jwt.split(".")
    return json.loads(unb64(header)), json.loads(unb64(payload))


def call(proxy, bearer=None, body=CALL, headers=None, params=None, method="POST"):
    all_headers = {"Content-Type": "application/json", **(headers or {})}
    if bearer is not None:
        all_headers["Authorization"] = f"Bearer {bearer}"
    data = body if isinstance(body, (bytes, str)) else json.dumps(body)
    return requests.request(method, proxy.url, data=data if method == "POST" else None, headers=all_headers, params=params, timeout=10)


def challenge(proxy, error=None, scope="mcp:tools"):
    value = f'Bearer resource_metadata="http://127.0.0.1:{proxy.port}/.well-known/oauth-protected-resource/mcp", scope="{scope}"'
    return value + (f', error="{error}"' if error else "")


@pytest.fixture
def good(idp, proxy):
    return token(idp, proxy.url)


def assert_refused(response, status, seen):
    assert response.status_code == status, response.text
    assert seen == [], "a refused request must not reach the upstream"


def test_valid_token_is_forwarded_without_the_clients_token(proxy, good, seen):
    response = call(proxy, good, headers={"X-MCP-Human-ID": "admin", "X-MCP-Agent-ID": "spoofed"})
    assert response.status_code == 200, response.text
    assert len(seen) == 1
    forwarded = seen[0]["headers"]
    assert good not in json.dumps(forwarded)
    assert "authorization" not in forwarded
    assert forwarded["x-mcp-human-id"] == "agent", "identity comes from the token, not the client's headers"
    assert forwarded["x-mcp-agent-id"] == "agent"
    assert json.loads(seen[0]["body"]) == CALL


def test_lowercase_bearer(proxy, good, seen):
    response = requests.post(proxy.url, data=json.dumps(CALL), headers={"authorization": f"bearer {good}", "Content-Type": "application/json"}, timeout=10)
    assert response.status_code == 200


def test_no_token(proxy, seen):
    response = call(proxy)
    assert_refused(response, 401, seen)
    assert response.headers["WWW-Authenticate"] == challenge(proxy)


@pytest.mark.parametrize("method", ["GET", "DELETE"])
def test_every_method_needs_a_token(proxy, seen, method):
    response = call(proxy, method=method, headers={"Accept": "text/event-stream", "Mcp-Session-Id": "abc"})
    assert_refused(response, 401, seen)


def test_alg_none(proxy, good, seen):
    header, payload = parts(good)
    forged = f'{b64(json.dumps({"alg": "none", "kid": header["kid"], "typ": "JWT"}).encode())}.{b64(json.dumps(payload).encode())}.'
    response = call(proxy, forged)
    assert_refused(response, 401, seen)
    assert response.headers["WWW-Authenticate"].startswith(challenge(proxy, "invalid_token"))


def test_hs256_signed_with_the_public_key(idp, proxy, good, seen):
    header, payload = parts(good)
    jwks = requests.get(f"{idp}/.well-known/jwks.json", timeout=10).text.encode()
    head = b64(json.dumps({"alg": "HS256", "kid": header["kid"], "typ": "JWT"}).encode())
    body = b64(json.dumps(payload).encode())
    signature = b64(hmac.new(jwks, f"{head}.{body}".encode(), hashlib.sha256).digest())
    assert_refused(call(proxy, f"{head}.{body}.{signature}"), 401, seen)


def test_foreign_key_with_a_real_kid(proxy, good, seen):
    header, payload = parts(good)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    head = b64(json.dumps(header).encode())
    body = b64(json.dumps({**payload, "sub": "admin"}).encode())
    signature = b64(key.sign(f"{head}.{body}".encode(), padding.PKCS1v15(), hashes.SHA256()))
    assert_refused(call(proxy, f"{head}.{body}.{signature}"), 401, seen)


def test_tampered_payload(proxy, good, seen):
    head, _, signature = good.split(".")
    _, payload = parts(good)
    body = b64(json.dumps({**payload, "scope": "mcp:tools weather:write"}).encode())
    assert_refused(call(proxy, f"{head}.{body}.{signature}"), 401, seen)


def test_another_servers_audience(idp, proxy, seen):
    other = token(idp, "http://127.0.0.1:9/other/mcp")
    response = call(proxy, other)
    assert_refused(response, 401, seen)
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


def test_no_resource_means_no_audience_for_us(idp, proxy, seen):
    assert_refused(call(proxy, token(idp, None)), 401, seen)


@pytest.mark.parametrize("bad", ["abc.def", "a.b.c.d", "not-a-jwt", "eyJ.eyJ.sig"])
def test_malformed_tokens(proxy, seen, bad):
    assert_refused(call(proxy, bad), 401, seen)


def test_token_in_query(proxy, good, seen):
    response = call(proxy, params={"access_token": good})
    assert_refused(response, 400, seen)
    assert 'error="invalid_request"' in response.headers["WWW-Authenticate"]


def test_two_credentials(proxy, good, seen):
    connection = http.client.HTTPConnection("127.0.0.1", proxy.port, timeout=10)
    connection.putrequest("POST", "/mcp")
    for _ in range(2):
        connection.putheader("Authorization", f"Bearer {good}")
    body = json.dumps(CALL).encode()
    connection.putheader("Content-Type", "application/json")
    connection.putheader("Content-Length", str(len(body)))
    connection.endheaders(body)
    response = connection.getresponse()
    assert response.status == 400
    assert 'error="invalid_request"' in response.getheader("WWW-Authenticate")
    assert seen == []


def test_empty_bearer(proxy, seen):
    response = requests.post(proxy.url, data=json.dumps(CALL), headers={"Authorization": "Bearer "}, timeout=10)
    assert_refused(response, 400, seen)


def test_bad_origin(proxy, good, seen):
    assert_refused(call(proxy, good, headers={"Origin": "https://evil.example.com"}), 403, seen)


def test_allowed_origin(proxy, good, seen):
    assert call(proxy, good, headers={"Origin": "https://chat.example.com"}).status_code == 200


def test_batch_body(proxy, good, seen):
    assert_refused(call(proxy, good, body=[CALL]), 400, seen)


def test_step_up_for_a_tools_scope(idp, proxy, good, seen):
    write = {**CALL, "params": {"name": "set_alert", "arguments": {}}}
    response = call(proxy, good, body=write)
    assert_refused(response, 403, seen)
    assert response.headers["WWW-Authenticate"] == challenge(proxy, "insufficient_scope", "mcp:tools weather:write")
    wider = token(idp, proxy.url, scope="mcp:tools weather:write")
    assert call(proxy, wider, body=write).status_code == 200


def test_missing_required_scope(idp, proxy, seen):
    response = call(proxy, token(idp, proxy.url, scope="openid"))
    assert_refused(response, 403, seen)
    assert response.headers["WWW-Authenticate"] == challenge(proxy, "insufficient_scope")


def test_governance_denial_is_not_insufficient_scope(idp, proxy, seen):
    intruder = token(idp, proxy.url, client=("intruder", "intruder-secret"))
    response = call(proxy, intruder)
    assert_refused(response, 403, seen)
    assert "WWW-Authenticate" not in response.headers
    body = response.json()
    assert body["id"] == 7 and body["error"]["data"]["reason"] == "no_matching_grant"


def test_protected_resource_metadata(idp, proxy):
    response = requests.get(f"http://127.0.0.1:{proxy.port}/.well-known/oauth-protected-resource/mcp", timeout=10)
    assert response.status_code == 200
    assert response.json() == {
        "resource": proxy.url, "authorization_servers": [idp], "scopes_supported": ["mcp:tools", "weather:write"],
        "resource_name": "weather", "bearer_methods_supported": ["header"],
    }
    assert requests.get(f"http://127.0.0.1:{proxy.port}/.well-known/oauth-protected-resource", timeout=10).status_code == 404


def test_key_rotation_at_the_authorization_server(idp, proxy, good, seen):
    assert call(proxy, good).status_code == 200
    old_kid = parts(good)[0]["kid"]
    requests.post(f"{idp}/api/keys/rotate", timeout=10).raise_for_status()
    fresh = token(idp, proxy.url)
    assert parts(fresh)[0]["kid"] != old_kid
    time.sleep(10.5)  # the proxy refetches keys at most every 10 s
    assert call(proxy, fresh).status_code == 200, "a token from the rotated key works without a restart"


def test_revocation_and_invalid_reload(proxy, good, seen):
    assert call(proxy, good).status_code == 200
    proxy.render(disabled=True)
    deadline = time.time() + 5
    while time.time() < deadline and call(proxy, good).status_code != 403:
        time.sleep(0.1)
    assert call(proxy, good).status_code == 403, "a disabled grant is enforced after the config reload"
    proxy.config.write_text("{ not json")
    time.sleep(2.5)
    assert call(proxy, good).status_code == 403, "an invalid config is refused; the last good one keeps serving"
    assert proxy.process.poll() is None
    proxy.render(disabled=False)
    deadline = time.time() + 5
    while time.time() < deadline and call(proxy, good).status_code != 200:
        time.sleep(0.1)
    assert call(proxy, good).status_code == 200


def test_audit_never_holds_a_token(proxy, good):
    call(proxy, good)
    time.sleep(0.2)
    audit = (proxy.directory / "audit.log").read_text()
    lines = [json.loads(line) for line in audit.splitlines()]
    assert lines and all("decision" in line and "reason" in line for line in lines)
    assert good not in audit and good.split(".")[2] not in audit


def _grant(config):
    return config["grants"][0]


def _session(**fields):
    return {"name": "s1", "namespace": "team-a", "subject": {"humanID": "agent", "teamID": None}, "revoked": False, **fields}


# Each governance denial, produced by the config edit a platform team would make, with the
# status and reason the proxy must answer. Session denials are 401 with the plain
# challenge; all others 403 with no challenge at all; none is insufficient_scope.
DENIALS = [
    ("tool_denied", lambda c: _grant(c).update(toolRules=[{"name": "get_forecast", "decision": "deny"}]), {}, "get_forecast", 403),
    ("tool_not_granted", lambda c: _grant(c).update(toolRules=[{"name": "set_alert", "decision": "allow"}]), {}, "get_forecast", 403),
    ("side_effect_not_allowed", lambda c: _grant(c).update(allowedSideEffects=["write"]), {}, "get_forecast", 403),
    ("tool_side_effect_unknown", lambda c: None, {}, "unlisted_tool", 403),
    ("grant_without_trust", lambda c: _grant(c).pop("maxTrust"), {}, "get_forecast", 403),
    ("trust_too_low", lambda c: c["tools"][0].update(requiredTrust="high"), {}, "get_forecast", 403),
    ("grant_revoked", lambda c: _grant(c).update(disabled=True), {}, "get_forecast", 403),
    ("grant_expired", lambda c: _grant(c).update(expiresAt="2020-01-01T00:00:00Z"), {}, "get_forecast", 403),
    ("missing_session", lambda c: c["session"].update(required=True), {}, "get_forecast", 401),
    ("session_not_found", lambda c: c["session"].update(required=True), {"X-MCP-Agent-Session": "s1"}, "get_forecast", 401),
    ("session_revoked", lambda c: (c["session"].update(required=True), c.update(sessions=[_session(revoked=True)])),
     {"X-MCP-Agent-Session": "s1"}, "get_forecast", 401),
    ("session_expired", lambda c: (c["session"].update(required=True), c.update(sessions=[_session(expiresAt="2020-01-01T00:00:00Z")])),
     {"X-MCP-Agent-Session": "s1"}, "get_forecast", 401),
]


@pytest.mark.parametrize("reason,edit,headers,tool,status", DENIALS, ids=[d[0] for d in DENIALS])
def test_each_governance_denial(proxy, good, seen, reason, edit, headers, tool, status):
    original = proxy.config.read_text()
    body = {**CALL, "params": {"name": tool, "arguments": {}}}
    config = json.loads(original)
    edit(config)
    config.pop("revision", None)
    try:
        proxy.config.write_text(json.dumps(config))
        deadline = time.time() + 5
        response = call(proxy, good, body=body, headers=headers)
        while time.time() < deadline and response.status_code != status:
            time.sleep(0.1)
            response = call(proxy, good, body=body, headers=headers)
        seen.clear()
        response = call(proxy, good, body=body, headers=headers)
        assert_refused(response, status, seen)
        error = response.json()
        assert error["id"] == 7 and error["error"]["data"]["reason"] == reason, error
        if status == 401:
            assert response.headers["WWW-Authenticate"] == challenge(proxy)
        else:
            assert "WWW-Authenticate" not in response.headers
    finally:
        proxy.config.write_text(original)
        deadline = time.time() + 5
        while time.time() < deadline and call(proxy, good).status_code != 200:
            time.sleep(0.1)
    assert call(proxy, good).status_code == 200
