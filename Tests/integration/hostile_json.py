"""A generated corpus of hostile JSON-RPC bodies: each aims to make the proxy see one
message and an upstream parser another (duplicate members, spellings that
case-insensitive decoders fold together, escapes, invalid UTF-8, surrogates, data after
the value, non-JSON literals, deep nesting, odd ids, whitespace outside JSON's), plus
seeded random mutations of valid messages. Deterministic: the same list every run."""
import json
import random

ALLOWED = "get_forecast"
DENIED = "delete_alerts"


def message(method="tools/call", name=ALLOWED, id_=1):
    body = {"jsonrpc": "2.0", "id": id_, "method": method}
    if method == "tools/call":
        body["params"] = {"name": name, "arguments": {"city": "Oslo"}}
    return body


def pairs(items):
    """An object from (name, raw JSON value) pairs, in order, repeats kept."""
    return "{" + ",".join(f"{json.dumps(k) if not k.startswith(RAW) else k[len(RAW):]}:{v}" for k, v in items) + "}"


RAW = "\0raw:"  # a member name written as is (escapes, odd bytes)


def raw(name):
    return RAW + name


def envelope(method='"tools/call"', params=None, id_="1", extra=()):
    params = params if params is not None else pairs([("name", json.dumps(ALLOWED)), ("arguments", "{}")])
    return pairs([("jsonrpc", '"2.0"'), ("id", id_), ("method", method), ("params", params), *extra])


def structural():
    """Bodies written by hand around each way two parsers may disagree."""
    allowed, denied = json.dumps(ALLOWED), json.dumps(DENIED)
    params_denied = pairs([("name", denied)])
    out = []
    # Duplicate members, in both orders, at the top, in params, deeper.
    for first, second in [('"tools/list"', '"tools/call"'), ('"tools/call"', '"tools/list"')]:
        out.append(pairs([("jsonrpc", '"2.0"'), ("id", "1"), ("method", first), ("method", second), ("params", params_denied)]))
    out.append(envelope(params=pairs([("name", allowed), ("name", denied)])))
    out.append(envelope(params=pairs([("name", denied), ("name", allowed)])))
    out.append(pairs([("jsonrpc", '"2.0"'), ("id", "1"), ("method", '"tools/call"'), ("params", pairs([("name", allowed)])), ("params", params_denied)]))
    out.append(pairs([("jsonrpc", '"2.0"'), ("id", "1"), ("id", "2"), ("method", '"tools/call"'), ("params", params_denied)]))
    out.append(envelope(params=pairs([("name", allowed), ("arguments", pairs([("a", "1"), ("a", "2")]))])))
    # Escaped member names that unescape to a duplicate.
    for spelling in ["m\\u0065thod", "\\u006dethod", "metho\\u0064", "\\u006d\\u0065\\u0074\\u0068\\u006f\\u0064"]:
        out.append(pairs([("jsonrpc", '"2.0"'), ("id", "1"), ("method", '"tools/list"'), (raw(f'"{spelling}"'), '"tools/call"'), ("params", params_denied)]))
    out.append(envelope(params=pairs([("name", allowed), (raw('"n\\u0061me"'), denied)])))
    out.append(envelope(params=pairs([(raw('"\\u006e\\u0061\\u006d\\u0065"'), denied)])))
    # Spellings case-insensitive decoders fold onto a member.
    for variant in ["Method", "METHOD", "mEthod", "method ", " method", "meth\u017fod", "methoD"]:
        out.append(pairs([("jsonrpc", '"2.0"'), ("id", "1"), ("method", '"tools/list"'), (variant, '"tools/call"'), ("params", params_denied)]))
        out.append(pairs([("jsonrpc", '"2.0"'), ("id", "1"), (variant, '"tools/call"'), ("result", "{}"), ("params", params_denied)]))
    for variant in ["Name", "NAME", "nAme", "n\u0430me"]:  # the last has a Cyrillic a: no decoder folds it
        out.append(envelope(params=pairs([("name", allowed), (variant, denied)])))
    for variant in ["Params", "PARAMS", "param\u017f", "paramS"]:
        out.append(pairs([("jsonrpc", '"2.0"'), ("id", "1"), ("method", '"tools/call"'), ("params", pairs([("name", allowed)])), (variant, params_denied)]))
    for variant in ["ID", "Id", "JSONRPC", "Result", "ERROR"]:
        out.append(envelope(extra=[(variant, '"x"')]))
    # Escapes in values: the same name, spelt otherwise.
    out.append(envelope(params=pairs([("name", '"delete\\u005falerts"')])))
    out.append(envelope(method='"tools\\/call"', params=params_denied))
    out.append(envelope(method='"tools/call\\u0000"', params=params_denied))
    out.append(envelope(method='"tools/call "', params=params_denied))
    # Surrogates and invalid UTF-8, in names, values and arguments.
    for inner in ["\\ud800", "\\udfff", "\\udc00\\ud800", "\\ud800x", "\\ud83c\\udf26"]:
        out.append(envelope(params=pairs([("name", f'"delete_alerts{inner}"')])))
        out.append(envelope(params=pairs([("name", allowed), ("arguments", pairs([("v", f'"{inner}"')]))])))
        out.append(pairs([("jsonrpc", '"2.0"'), ("id", "1"), ("method", '"tools/list"'), (raw(f'"method{inner}"'), '"tools/call"'), ("params", params_denied)]))
    out = [b.encode() for b in out]
    base = envelope(params=pairs([("name", '"delete_alertsXX"')])).encode()
    for bad in [b"\xed\xa0\x80", b"\xc0\xaf", b"\xe0\x80\xaf", b"\xf4\x90\x80\x80", b"\x80", b"\xff", b"\xe2\x82", b"\x00", b"\t", b"\x1f"]:
        out.append(base.replace(b"XX", bad))
        out.append(envelope(params=pairs([("name", allowed), ("arguments", pairs([("v", '"XX"')]))])).encode().replace(b"XX", bad))
    # Data after the value, and what precedes it.
    good = json.dumps(message()).encode()
    second = json.dumps(message(name=DENIED)).encode()
    for tail in [b"x", b" " + second, second, b"\n" + second, b"\x00", b"]", b"}", b"//", b"\r\n\r\n", b" \t\r\n"]:
        out.append(good + tail)
    for head in [b"\xef\xbb\xbf", b"\x00", b"\x0b", b"\x0c", b"\xc2\xa0", b"[", b" "]:
        out.append(head + second)
    out.append(json.dumps(message(name=DENIED)).encode("utf-16"))
    out.append(json.dumps(message(name=DENIED)).encode("utf-32-le"))
    # Literals and numbers outside JSON.
    for id_ in ["NaN", "Infinity", "-Infinity", "01", "+1", ".5", "1.", "1e", "0x10", "1_000", "true", "null", "1.0", "1e2", "-0", "1E400",
                "123456789012345678901234567890", "-9223372036854775809", "9223372036854775807", "[]", "{}", '"s"', '""']:
        out.append(envelope(id_=id_, params=params_denied).encode())
    out.append(envelope(params=pairs([("name", allowed), ("arguments", pairs([("v", "NaN")]))])).encode())
    out.append(b"{'jsonrpc':'2.0','id':1,'method':'tools/call','params':{'name':'delete_alerts'}}")
    out.append(envelope(params=params_denied).replace('"params"', '/* c */"params"').encode())
    out.append(envelope(params=params_denied).replace("}", ",}", 1).encode())
    # Whitespace JSON does not have.
    for space in [b"\x0b", b"\x0c", b"\xc2\xa0", b"\xe2\x80\xa8", b"\xe3\x80\x80"]:
        out.append(json.dumps(message(name=DENIED)).encode().replace(b",", b"," + space, 1))
    # Nesting: fine, at the limit, far beyond.
    for depth in [50, 127, 128, 129, 5000]:
        out.append(envelope(params=pairs([("name", allowed), ("arguments", pairs([("v", "[" * depth + "]" * depth)]))])).encode())
    # Batches and non-objects.
    out += [b"[" + second + b"]", b"[]", b'"tools/call"', b"null", b"1", b""]
    # Valid messages, which must still be seen alike.
    out += [json.dumps(message(name=n, id_=i)).encode() for n, i in [(ALLOWED, 1), (DENIED, "a"), (ALLOWED, -3), ("m\u00e9t\u00e9o \U0001f326", 2)]]
    out += [json.dumps(message(method=m)).encode() for m in ["tools/list", "ping", "notifications/initialized", "Tools/Call"]]
    out.append(json.dumps({"jsonrpc": "2.0", "id": 5, "result": {"method": "tools/call", "params": {"name": DENIED}}}).encode())
    return out


def mutations(seed=20261204, count=400):
    """Random byte-level edits of valid messages: flips, insertions of JSON's punctuation
    and of member names, deletions, duplications of a span."""
    rng = random.Random(seed)
    seeds = [json.dumps(message(name=DENIED)).encode(), json.dumps(message(name=ALLOWED)).encode(),
             json.dumps(message(method="tools/list")).encode()]
    alphabet = [b'"', b",", b":", b"{", b"}", b"[", b"]", b"\\", b"\\u0000", b'"method":"tools/call",', b'"name":"delete_alerts",',
                b'"Method":', b"\xff", b"\xed\xa0\x80", b" ", b"\x00", b"e", b"0", b"-"]
    out = []
    for _ in range(count):
        body = bytearray(rng.choice(seeds))
        for _ in range(rng.randint(1, 3)):
            at = rng.randrange(len(body))
            match rng.randrange(4):
                case 0:
                    body[at] ^= 1 << rng.randrange(8)
                case 1:
                    body[at:at] = rng.choice(alphabet)
                case 2:
                    del body[at:at + rng.randint(1, 4)]
                case 3:
                    end = min(len(body), at + rng.randint(1, 24))
                    body[end:end] = body[at:end]
        out.append(bytes(body))
    return out


def corpus():
    return structural() + mutations()
