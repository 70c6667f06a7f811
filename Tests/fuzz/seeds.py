"""Writes the fuzz targets' seed corpora (Tests/fuzz/corpus/<target>/): small, meaningful
inputs in each target's input format (see the comment at the top of each target). Run it
again after changing a format; fuzzing never writes here (hack/fuzz.sh fuzzes a copy).

    .build-venv/bin/python Tests/fuzz/seeds.py   # needs .build/debug/mcp-runtime (swift build)
"""
import base64
import json
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "Tests", "integration"))
import hostile_json  # noqa: E402


def write(target, seeds):
    directory = os.path.join(HERE, "corpus", target)
    shutil.rmtree(directory, ignore_errors=True)
    os.makedirs(directory)
    for name, data in seeds:
        with open(os.path.join(directory, name), "wb") as file:
            file.write(data if isinstance(data, bytes) else data.encode())


def jsonrpc():
    mcp = [
        {"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {"protocolVersion": "2025-11-25", "capabilities": {"elicitation": {}},
                                                                       "clientInfo": {"name": "example-client", "version": "1.0.0"}}},
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {"cursor": "opaque"}},
        {"jsonrpc": "2.0", "id": "call-2", "method": "tools/call", "params": {"name": "get_forecast", "arguments": {"city": "Oslo", "days": 3},
                                                                           "_meta": {"progressToken": 7}}},
        {"jsonrpc": "2.0", "id": 3, "result": {"action": "accept", "content": {"city": "Oslo"}}},
        {"jsonrpc": "2.0", "id": 4, "error": {"code": -32601, "message": "Method not found"}},
        {"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 2, "reason": "user"}},
        {"jsonrpc": "2.0", "id": 5, "method": "ping"},
    ]
    seeds = [(f"mcp-{i:02}", json.dumps(m)) for i, m in enumerate(mcp)]
    seeds += [(f"hostile-{i:03}", body) for i, body in enumerate(hostile_json.structural())]
    # Found by fuzzing (see StrictJSONTests): a string opening with an unescaped U+FEFF.
    seeds.append(("found-leading-bom", '{"jsonrpc": "2.0", "id": 5, "method": "\ufeffping"}'.encode()))
    seeds.append(("found-leading-bom-name", '{"jsonrpc":"2.0","id":1,"method":"tools/list","\ufeffmethod":"tools/call"}'.encode()))
    seeds.append(("found-bom-after-escape", '{"jsonrpc":"2.0","id":1,"method":"tools\\/\ufeffcall","params":{"name":"x"}}'.encode()))
    return seeds


def credentials():
    jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln"
    cases = [
        ("Authorization", "-", [f"Authorization: Bearer {jwt}"]),
        ("Authorization", "-", [f"authorization: bearer {jwt}", "Accept: application/json, text/event-stream"]),
        ("Authorization", "-", ["Authorization: BEARER   aZ09-._~+/==  "]),
        ("Authorization", "-", ["Authorization: Basic YTpi"]),
        ("Authorization", "-", ["Authorization: Bearer"]),
        ("Authorization", "-", ["Authorization: Bearer a b"]),
        ("Authorization", "-", ["Authorization: Bearer ab=c"]),
        ("Authorization", "-", ["Authorization: Bearer a", "Authorization: Bearer b"]),
        ("Authorization", "-", ["Authorization: Bearer a, Bearer b"]),
        ("Authorization", f"access_token={jwt}", [f"Authorization: Bearer {jwt}"]),
        ("Authorization", "x=1&access%5Ftoken=abc", []),
        ("Authorization", "x=1;ACCESS_TOKEN=abc", []),
        ("Authorization", "session=abc&token=def", [f"Authorization: Bearer {jwt}"]),
        ("X-Token", "-", [f"X-Token: {jwt}"]),
        ("X-Token", "-", [f"x-token: Bearer {jwt}"]),
        ("X-Token", "-", [f"X-Token: {jwt}", "Authorization: Bearer other"]),
        ("X-Token", "-", ["Authorization: Bearer other"]),
        ("X-Token", "-", ["X-Token:   "]),
        ("x-api-key", "cursor=abc", [f"X-API-Key: {jwt}", "Cookie: session=1"]),
    ]
    # Found by fuzzing (see CredentialTests): `&` after a prepended mark, still a separator to servers.
    cases.append(("Authorization", "x=\u0600&access_token=abc", ["Authorization: Bearer abc"]))
    return [(f"case-{i:02}", "\n".join([header, query, *lines])) for i, (header, query, lines) in enumerate(cases)]


def headers():
    defaults = "\n" * 6
    client = ["Host: mcp.example.com", "User-Agent: mcp-client/1.0", "Accept: application/json, text/event-stream",
              "Content-Type: application/json", "Mcp-Session-Id: 1868a90c", "MCP-Protocol-Version: 2025-11-25", "Origin: https://chat.example.com"]
    cases = [
        (defaults, client + ["Authorization: Bearer abc", "Cookie: a=b"]),
        (defaults, client + ["X-MCP-Human-ID: mallory", "X_MCP_Human_ID: mallory", "x-mcp-agent-id: a", "X-Forwarded-User: root"]),
        (defaults, client + ["Connection: keep-alive, X-Custom", "X-Custom: 1", "Keep-Alive: timeout=5", "TE: trailers", "Upgrade: h2c"]),
        (defaults, client + ["connection: close,  x-a ,x-b", "X-A: 1", "x-b: 2", "X-C: 3"]),
        (defaults, client + ["Transfer-Encoding: chunked", "Content-Length: 10", "Proxy-Authorization: Basic YTpi", "Proxy-Connection: keep-alive"]),
        (defaults, client + ["X-Auth-Request-Email: a@example.com", "Remote-User: admin", "X-Remote-Group: wheel", "X-User: u", "X-Email: e"]),
        ("X-Token\nX-User-Id\nX-Agent-Id\nX-Team\nX-Sess\nX-Session-Header\n",
         client + ["X-Token: abc", "x_token: abc", "X-User-Id: mallory", "X-AGENT-ID: a", "X-Team: t", "x-sess: s", "X-Session-Header: h"]),
        (defaults, ["Host: a", "Host: b", "X-Forwarded-For: 10.0.0.1", "Forwarded: for=10.0.0.1", "Via: 1.1 proxy"]),
    ]
    # Found by fuzzing (see HeaderSanitizerTests): `,` after a prepended mark, still a separator.
    cases.append((defaults, client + ["Connection: close,  x-a \u0600,x-b", "X-A: 1", "x-b: 2"]))
    return [(f"case-{i:02}", config + "\n".join(lines)) for i, (config, lines) in enumerate(cases)]


def challenge():
    prm = "https://mcp.example.com/.well-known/oauth-protected-resource/team-a/mcp"
    headers = [
        f'Bearer resource_metadata="{prm}", scope="mcp:tools"',
        f'Bearer resource_metadata="{prm}", scope="mcp:tools weather:read", error="invalid_token", error_description="the token has expired"',
        'Bearer realm="example", error="invalid_token", error_description="The access token expired"',
        'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:samalba/my-app:pull,push"',
        'Bearer authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", error="invalid_token", '
        'error_description="The authentication failed because of missing \'Authorization\' header."',
        'Basic realm="Access to the staging site", charset="UTF-8"',
        'Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=SHA-256, '
        'nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"',
        'Newauth realm="apps", type=1, title="Login to \\"apps\\"", Basic realm="simple"',
        'Negotiate YIIFzQYGKwYBBQUCoIIFwTCCBb2gMDAu',
        'HOBA max-age="180", challenge="16:MTEyMzEyMzEyMw==1:028:https://www.example.com:8080"',
        'Basic realm="x", bEaReR error=invalid_token, scope="a \\"b\\"", scope="c"',
        'Bearer error="insufficient_scope", scope="files:read files:write", resource_metadata="https://a.example/.well-known/oauth-protected-resource"',
        'Bearer scope="open',
        ', ,Bearer ,',
    ]
    seeds = [(f"header-{i:02}", b"\x00" + h.encode()) for i, h in enumerate(headers)]
    rendered = [
        (1, f"{prm}\nmcp:tools\n-"),
        (5, f"{prm}\nmcp:tools weather:read\nsigning algorithm none is not allowed"),
        (3, '-\n\nbad" scope="admin'),
        (7, f"{prm}\nmcp:tools weather:write\nthe token is not for this resource"),
        (5, 'https://a.example/"\\x\na\\b "c"\nline\r\nbreak'),
    ]
    seeds += [(f"rendered-{i:02}", bytes([mode]) + text.encode()) for i, (mode, text) in enumerate(rendered)]
    # Found by fuzzing (see ChallengeTests): quote, backslash or = sharing a Character with a mark.
    found = ["-\n\na=\u0301b", '-\n\na"\u0301, scope="admin', "-\n\na\u0600\\", '-\n\na\u0600"b', "-\n\na\u0000b\u007f"]
    seeds += [(f"found-{i:02}", b"\x03" + text.encode()) for i, text in enumerate(found)]
    return seeds


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def jwsheader():
    headers = [
        b'{"alg":"RS256","kid":"rsa-1","typ":"JWT"}',  # jwt-kit, as the test issuer signs
        b'{"alg":"RS256","typ" : "JWT","kid" : "x8AkPfE4cJ4g0o1m3cFBNhVZ6l5LY8n8tMl3Hb9a1Q0"}',  # Keycloak
        b'{"alg":"RS256","typ":"JWT","kid":"NjVBRjY5MDlCMUIwNzU4RTA2QzZFMDQ4QzQ2MDAyQjVDNjk1RTM2Qg"}',  # Auth0
        b'{"typ":"JWT","alg":"RS256","x5t":"nOo3ZDrODXEK1jKWhXslHR_KXEg","kid":"nOo3ZDrODXEK1jKWhXslHR_KXEg"}',  # Entra ID
        b'{"kid":"0hbrOKIBiNZGdlbP0OvEG3Eh8U4Gy3eHWUpQFgxq2lQ","alg":"RS256"}',  # Okta
        b'{"typ":"at+jwt","alg":"ES256","kid":"RjEwOwOA"}',  # RFC 9068
        b'{"typ":"JWT",\r\n "alg":"HS256"}',  # RFC 7515 A.1
        b'{"alg":"EdDSA","kid":"ed-1","typ":"application/at+jwt"}',
        b'{"alg":"none"}',
        b'{"alg":"RS256","alg":"none","kid":"rsa-1"}',
        b'{"alg":"RS256","kid":7,"typ":null}',
        b'{"alg":"RS256","kid":"rsa-1","crit":["exp"],"exp":1}',
        b'{"alg":"R\\u0053256","kid":"rsa-\\ud83d\\ude00"}',
        b'{"alg":"RS256","jku":"https://evil.example/jwks","x5u":"https://evil.example/cert","jwk":{"kty":"RSA","n":"AQAB","e":"AQAB"}}',
        b'{"alg":["RS256"]}',
        b'[]',
    ]
    seeds = [(f"header-{i:02}", b"\x00" + h) for i, h in enumerate(headers)]
    tokens = [
        b"eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln",
        b64(headers[0]) + b"." + b64(b'{"iss":"https://issuer.example","aud":"https://mcp.example.com/mcp","exp":1893456000}') + b".c2ln",
        b64(headers[0]) + b"..c2ln",
        b64(headers[8]) + b"." + b64(b'{"sub":"a"}') + b".",
        b64(headers[0]) + b"=." + b64(b"{}") + b".c2ln",
        b"a.b.c.d",
    ]
    seeds += [(f"token-{i:02}", b"\x01" + t) for i, t in enumerate(tokens)]
    # Found by fuzzing (see JWSHeaderFindingsTests): not JSON, yet read.
    seeds.append(("found-invalid-utf8", b'\x00{"alg":"RS256","kid":"a\xed3"}'))
    seeds.append(("found-control-unread", b'\x00{"alg":"RS256","kid":"rsa-1","x":"a\x01"}'))
    seeds.append(("found-number-beyond-double", b'\x00{"alg":"RS256","crit":["exp"],"exp":-1E621}'))
    return seeds


def proxyconfig():
    binary = os.path.join(ROOT, ".build", "debug", "mcp-runtime")
    seeds = []
    for name in ["tickets", "docs", "weather"]:
        text = subprocess.run([binary, "render", "-f", os.path.join(ROOT, "manifests", "samples"), "--proxy-config", name],
                              check=True, capture_output=True).stdout
        seeds.append((f"rendered-{name}", text))
        config = json.loads(text)
        seeds.append((f"compact-{name}", json.dumps(config, separators=(",", ":"))))
    weather = json.loads(seeds[4][1])
    for i, edit in enumerate([
        lambda c: c.update(version=2),
        lambda c: c["auth"].pop("oauth"),
        lambda c: c["resource"].update(path="mcp"),
        lambda c: c["upstream"].update(url="ftp://x"),
        lambda c: c["limits"].update(maxBodyBytes=0),
        lambda c: c.update(unusable="no audience", revision="sha256:claimed"),
        lambda c: c["auth"].update(mode="Oauth"),
    ]):
        config = json.loads(json.dumps(weather))
        edit(config)
        seeds.append((f"edited-{i:02}", json.dumps(config)))
    # Found by fuzzing (see ConfigDecoderFindingsTests): not JSON in a member the config does not have.
    seeds.append(("found-control-unread", seeds[1][1].encode()[:-1] + b',"x":"a\x01"}'))
    return seeds


def answers():
    """List answers and event streams as an MCP server sends them: the target keeps entries
    whose name (or URI) starts with `ok`."""
    listing = {"jsonrpc": "2.0", "id": 2, "result": {
        "tools": [{"name": "ok_forecast", "inputSchema": {"type": "object"}}, {"name": "set_alert"}],
        "resources": [{"uri": "ok://public/today", "name": "today"}, {"uri": "weather://internal/ops", "name": "ok"}],
        "resourceTemplates": [{"uriTemplate": "weather://{x}"}, {"uriTemplate": "ok://{x}"}],
        "prompts": [{"name": "ok_summary"}, {"name": "runbook"}], "nextCursor": "c2"}}
    compact = json.dumps(listing, separators=(",", ":"))
    progress = json.dumps({"jsonrpc": "2.0", "method": "notifications/progress", "params": {"progressToken": 1, "progress": 1}})
    seeds = [
        ("json-body", compact),
        ("json-pretty", json.dumps(listing, indent=2)),
        ("sse-lf", f"id: 1\ndata:\n\nid: 2\nevent: message\ndata: {compact}\n\n"),
        ("sse-crlf", f"id: 1\r\ndata: {progress}\r\n\r\nid: 2\r\ndata: {compact}\r\n\r\n"),
        ("sse-cr", f"retry: 100\rdata: {compact}\r\r"),
        ("sse-multiline", "data: " + json.dumps(listing, indent=1).replace("\n", "\ndata: ") + "\n\n"),
        ("sse-bom", "\ufeffdata: " + compact + "\n\n"),
        ("sse-other-event", f"event: ping\ndata: {compact}\n\n: comment\ndata: {compact}"),
        ("sse-case", 'data: {"Result":{"tools":[{"name":"no"}]}}\n\ndata: {"result":{"Tools":[{"name":"no"}],"tools":[]}}\n\n'),
        ("sse-duplicate", 'data: {"result":{"tools":[{"name":"ok","name":"no"}]}}\n\n'),
    ]
    return seeds


if __name__ == "__main__":
    for target, make in [("jsonrpc", jsonrpc), ("credentials", credentials), ("headers", headers), ("challenge", challenge),
                         ("jwsheader", jwsheader), ("proxyconfig", proxyconfig), ("answers", answers)]:
        seeds = make()
        write(target, seeds)
        print(f"{target}: {len(seeds)} seeds")
