"""mcp-proxy with opaque access tokens, introspected (RFC 7662) at a real authorization
server: Canaille, run by pytest-iam. Canaille's tokens are opaque; their audience is the
list of clients they were issued for, and Canaille answers an introspection only to a
client in that list. The MCP server is registered there under its canonical URI, so the
introspected `aud` carries it exactly as RFC 8707 would."""
import datetime
import json
import uuid

import pytest
import requests

from conftest import Proxy

CALL = {"jsonrpc": "2.0", "id": 7, "method": "tools/call", "params": {"name": "get_forecast", "arguments": {}}}

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
    introspection: {{clientID: mcp-proxy, clientSecretRef: {{name: proxy-introspection, key: secret}}}}
  tools:
    - {{name: get_forecast, sideEffect: read}}
---
apiVersion: mcpruntime.org/v1alpha1
kind: MCPAccessGrant
metadata: {{name: alice, namespace: team-a}}
spec:
  serverRef: {{name: weather}}
  subject: {{humanID: alice}}
  maxTrust: low
  allowedSideEffects: [read]
"""


def client(iam, client_id, secret=None):
    model = iam.models.Client(
        client_id=client_id, client_secret=secret, client_name=client_id, client_id_issued_at=datetime.datetime.now(datetime.timezone.utc),
        grant_types=["client_credentials"], response_types=["token"], token_endpoint_auth_method="client_secret_basic",
        scope=["openid", "mcp:tools"], redirect_uris=[],
    )
    iam.backend.save(model)
    return model


@pytest.fixture(scope="module")
def setup(tmp_path_factory, iam_server, upstream):
    directory = tmp_path_factory.mktemp("introspection")
    secret = directory / "introspection-secret"
    secret.write_text("proxy-secret\n")

    def use_secret(config):
        config["auth"]["oauth"]["introspection"]["clientSecretFile"] = str(secret)

    proxy = Proxy(directory, iam_server.url.rstrip("/"), upstream.server_address[1], manifest=MANIFEST, edit=use_secret)
    try:
        proxy_client = client(iam_server, "mcp-proxy", "proxy-secret")
        server_client = client(iam_server, proxy.url)
        other_client = client(iam_server, "http://127.0.0.1:1/other/mcp")
        alice = iam_server.random_user(user_name="alice")

        def token(audience, scope="openid mcp:tools"):
            return iam_server.random_token(subject=alice, client=proxy_client, audience=audience, scope=scope.split()).access_token

        yield {"url": proxy.url, "token": token, "server": server_client, "other": other_client, "proxy": proxy_client, "audit": directory / "audit.log"}
    finally:
        proxy.stop()


def call(url, bearer):
    return requests.post(url, data=json.dumps(CALL), headers={"Content-Type": "application/json", "Authorization": f"Bearer {bearer}"}, timeout=10)


def test_an_opaque_token_for_this_server_is_introspected_and_forwarded(setup, seen):
    bearer = setup["token"]([setup["server"], setup["proxy"]])
    response = call(setup["url"], bearer)
    assert response.status_code == 200, response.text
    assert len(seen) == 1
    forwarded = seen[0]["headers"]
    assert bearer not in json.dumps(forwarded)
    assert "authorization" not in forwarded
    assert forwarded["x-mcp-human-id"] == "alice", "identity from the introspection answer"


def test_an_opaque_token_for_another_server_is_refused(setup, seen):
    response = call(setup["url"], setup["token"]([setup["other"], setup["proxy"]]))
    assert response.status_code == 401
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]
    assert seen == []


def test_an_unknown_opaque_token_is_refused(setup, seen):
    response = call(setup["url"], str(uuid.uuid4()))
    assert response.status_code == 401
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]
    assert seen == []


def test_a_token_without_the_required_scope_is_a_step_up(setup, seen):
    response = call(setup["url"], setup["token"]([setup["server"], setup["proxy"]], scope="openid"))
    assert response.status_code == 403
    assert 'error="insufficient_scope"' in response.headers["WWW-Authenticate"]
    assert seen == []


def test_the_audit_never_holds_an_opaque_token(setup):
    bearer = setup["token"]([setup["server"], setup["proxy"]])
    call(setup["url"], bearer)
    assert bearer not in setup["audit"].read_text()
