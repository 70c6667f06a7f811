"""One view of a message: every body of a generated hostile corpus is either refused by
mcp-proxy (and never reaches the upstream) or forwarded as bytes that Python's json,
pydantic's from_json, the official MCP SDK's message type and a case-insensitive
last-wins decoder (as Go's encoding/json reads into a struct) all read as the same
method and tool the proxy decided on, with the same id the proxy echoes."""
import json

import pydantic
import pydantic_core
import pytest
import requests
from mcp import types

from header_mode import Audit, running
from hostile_json import ALLOWED, DENIED, corpus

SDK = pydantic.TypeAdapter(types.JSONRPCMessage)


def folding(pairs):
    """Members compared as a case-insensitive decoder compares them; the last one wins."""
    return {name.casefold(): value for name, value in pairs}


def view(message, key=lambda name: name):
    """(method, tool) of a decoded message, as a server dispatches it."""
    if not isinstance(message, dict):
        return ("<not an object>", None)
    method = message.get(key("method"))
    params = message.get(key("params"))
    tool = params.get(key("name")) if method == "tools/call" and isinstance(params, dict) else None
    return (method, tool)


def views(body):
    """Each upstream parser's reading of `body`; a parser that refuses it is left out
    only where that is safe: the SDK (an upstream built on it refuses the message)."""
    seen = {
        "json": view(json.loads(body)),
        "pydantic_core.from_json": view(pydantic_core.from_json(body)),
        "case-insensitive, last wins": view(json.loads(body, object_pairs_hook=folding), key=str.casefold),
    }
    try:
        message = SDK.validate_json(body).model_dump(by_alias=True)
        seen["mcp SDK"] = view(message)
    except pydantic.ValidationError:
        pass
    return seen


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    with running(tmp_path_factory.mktemp("differential")) as stack:
        yield stack


def test_every_hostile_body_is_refused_or_seen_alike(stack):
    upstream, proxy = stack
    audit = Audit(proxy)
    session = requests.Session()
    bodies = corpus()
    counts = {"refused": 0, "denied by policy": 0, "forwarded": 0}
    disagreements = []
    for body in bodies:
        upstream.clear()
        response = session.post(proxy.url, data=body, headers={"Content-Type": "application/json", "X-MCP-Human-ID": "alice"}, timeout=10)
        line = audit.next()
        forwarded = upstream.seen
        if response.status_code not in (200, 403):
            assert response.status_code == 400, (response.status_code, body)
            assert forwarded == [], f"refused ({response.status_code}) but forwarded: {body!r}"
            counts["refused"] += 1
            continue
        proxy_view = (line.get("method"), line.get("tool"))
        if response.status_code == 403:
            # Denied by policy: the proxy decided on a call of a tool it does not allow,
            # so every parser must read that call, with the id the proxy echoed.
            assert forwarded == [], f"denied but forwarded: {body!r}"
            assert proxy_view[0] == "tools/call" and proxy_view[1] != ALLOWED, (body, line)
            counts["denied by policy"] += 1
            echoed = response.json()["id"]
            assert json.loads(body).get("id") == echoed and pydantic_core.from_json(body).get("id") == echoed, body
        else:
            counts["forwarded"] += 1
            assert [r["body"] for r in forwarded] == [body], "forwarded byte for byte"
            assert proxy_view[0] != "tools/call" or proxy_view[1] == ALLOWED, (body, line)
        try:
            parsed = views(body)
        except ValueError as error:
            disagreements.append((body, proxy_view, f"an upstream parser refuses what the proxy accepted: {error}"))
            continue
        for parser, seen in parsed.items():
            if seen != proxy_view:
                disagreements.append((body, proxy_view, parser, seen))
    print(f"{len(bodies)} bodies: {counts}")
    assert disagreements == []
    # The corpus exercises every path: refusals, policy denials and forwarded messages.
    assert all(count > 10 for count in counts.values()), counts
