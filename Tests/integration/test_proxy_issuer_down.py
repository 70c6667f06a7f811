"""mcp-proxy while its authorization server (a real nanoidp of its own, stopped and started
again on the same port) is unreachable: known keys keep serving past their refresh
interval ("fail closed, not over"), an unknown kid costs at most the short fetch wait, the
keys stop being used beyond the maximum staleness, and a proxy started while the issuer is
down answers at once and becomes ready when the issuer is back. Nothing here sleeps to
wait for an event: every wait polls a condition until a deadline."""
import base64
import json
import re
import socket
import subprocess
import time
import uuid

import pytest
import requests
import yaml
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from conftest import VENV, Proxy, free_port, wait_for
from test_proxy_oauth import CALL, b64, parts, token

# The proxy settings under test, small so the test needs no long waits.
FAST = {"refreshSeconds": 1, "maxStalenessSeconds": 3600, "minFetchIntervalSeconds": 1, "fetchWaitMilliseconds": 500}


class Issuer:
    """nanoidp on a fixed port, stoppable and restartable (same keys, same issuer)."""

    def __init__(self, directory, port=None):
        self.directory = directory
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        subprocess.run([VENV / "nanoidp", "init", directory / "cfg"], check=True, capture_output=True)
        settings_path = directory / "cfg" / "settings.yaml"
        settings = yaml.safe_load(settings_path.read_text())
        settings["server"]["port"] = self.port
        settings["oauth"]["issuer"] = self.url
        settings["oauth"]["scopes_supported"] = ["openid", "mcp:tools", "weather:write"]
        settings["oauth"]["clients"] = [{"client_id": "agent", "client_secret": "agent-secret", "description": "granted"}]
        settings_path.write_text(yaml.safe_dump(settings))
        self.process = None
        self.hole = None

    def start(self):
        log = open(self.directory / "nanoidp.log", "a")
        self.process = subprocess.Popen([VENV / "nanoidp", "--config", self.directory / "cfg"], stdout=log, stderr=subprocess.STDOUT, cwd=self.directory)
        wait_for(f"{self.url}/.well-known/oauth-authorization-server")

    def stop(self):
        if self.process:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None
        if self.hole:
            self.hole.close()
            self.hole = None

    def blackhole(self):
        """The issuer's port accepts connections (the kernel completes them) and never answers."""
        self.hole = socket.socket()
        self.hole.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.hole.bind(("127.0.0.1", self.port))
        self.hole.listen(64)


@pytest.fixture
def issuer(tmp_path):
    issuer = Issuer(tmp_path)
    issuer.start()
    yield issuer
    issuer.stop()


def edit_cache(settings):
    def edit(config):
        config["auth"]["oauth"]["issuerCache"] = settings
    return edit


@pytest.fixture
def start_proxy(tmp_path, upstream):
    started = []

    def start(issuer_url, settings=FAST):
        directory = tmp_path / f"proxy-{len(started)}"
        directory.mkdir()
        proxy = Proxy(directory, issuer_url, upstream.server_address[1], edit=edit_cache(settings))
        started.append(proxy)
        return proxy

    yield start
    for proxy in started:
        proxy.stop()


def timed(proxy, bearer):
    begin = time.monotonic()
    response = requests.post(proxy.url, data=json.dumps(CALL), headers={"Content-Type": "application/json", "Authorization": f"Bearer {bearer}"}, timeout=30)
    return response, time.monotonic() - begin


def poll(what, condition, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def ready(proxy):
    return requests.get(f"http://127.0.0.1:{proxy.admin}/readyz", timeout=5)


def jwks_fetches(proxy, outcome):
    text = requests.get(f"http://127.0.0.1:{proxy.admin}/metrics", timeout=5).text
    match = re.search(r'mcp_proxy_jwks_fetches_total\{outcome="%s"\} (\d+)' % outcome, text)
    return int(match.group(1)) if match else 0


def unknown_kid(good):
    """A token like `good` under a key id the issuer never had, signed by a stranger's key."""
    _, payload = parts(good)
    head = b64(json.dumps({"alg": "RS256", "kid": f"unknown-{uuid.uuid4()}", "typ": "JWT"}).encode())
    body = b64(json.dumps(payload).encode())
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return f"{head}.{body}.{b64(key.sign(f'{head}.{body}'.encode(), padding.PKCS1v15(), hashes.SHA256()))}"


def report(name, latencies):
    latencies = sorted(latencies)
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    print(f"\n{name}: n={len(latencies)} median={latencies[len(latencies) // 2] * 1000:.1f} ms p99={p99 * 1000:.1f} ms max={latencies[-1] * 1000:.1f} ms")


@pytest.mark.parametrize("outage", ["refused", "hanging"])
def test_known_keys_serve_while_the_issuer_is_down(issuer, start_proxy, seen, outage):
    proxy = start_proxy(issuer.url)
    poll("the proxy ready", lambda: ready(proxy).status_code == 200)
    first, second = token(issuer.url, proxy.url), token(issuer.url, proxy.url)
    assert timed(proxy, first)[0].status_code == 200

    issuer.stop()
    if outage == "hanging":
        issuer.blackhole()
    failures = jwks_fetches(proxy, "failure")
    # Past the refresh interval: each request starts (at most one per second) a background
    # refresh, which fails; the keys at hand keep serving meanwhile.
    poll("a failed background refresh", lambda: timed(proxy, first)[0].status_code == 200 and jwks_fetches(proxy, "failure") > failures)

    latencies = []
    for bearer in [second] + [first] * 49:  # `second` was never seen: its signature is verified now
        response, elapsed = timed(proxy, bearer)
        assert response.status_code == 200, response.text
        latencies.append(elapsed)
    report(f"known key, issuer {outage}", latencies)
    assert max(latencies) < 1.0, "a request with a usable key never waits on the issuer"

    stranger = []
    for _ in range(5):
        response, elapsed = timed(proxy, unknown_kid(first))
        assert response.status_code == 401, response.text
        assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]
        stranger.append(elapsed)
    report(f"unknown kid, issuer {outage}", stranger)
    assert max(stranger) < 0.5 + 1.0, "an unknown kid waits at most the fetch wait (500 ms here)"
    assert ready(proxy).status_code == 200, "keys within the maximum staleness: ready"

    issuer.stop()
    issuer.start()
    fresh = token(issuer.url, proxy.url)
    poll("service with the issuer back", lambda: timed(proxy, fresh)[0].status_code == 200)
    assert len([request for request in seen if request["method"] == "POST"]) >= 52


def test_beyond_the_maximum_staleness_the_keys_are_not_used(issuer, start_proxy):
    proxy = start_proxy(issuer.url, {**FAST, "maxStalenessSeconds": 2})
    poll("the proxy ready", lambda: ready(proxy).status_code == 200)
    good = token(issuer.url, proxy.url)
    assert timed(proxy, good)[0].status_code == 200
    issuer.stop()

    poll("a 503 once the keys are too old", lambda: timed(proxy, good)[0].status_code == 503)
    response, elapsed = timed(proxy, good)
    assert response.status_code == 503 and response.json()["error"] == "temporarily_unavailable"
    assert elapsed < 1.0 + 0.5
    readiness = ready(proxy)
    assert readiness.status_code == 503 and "maximum staleness" in readiness.text, readiness.text

    issuer.start()
    poll("service with the issuer back", lambda: timed(proxy, good)[0].status_code == 200)
    assert ready(proxy).status_code == 200


def test_a_proxy_started_while_the_issuer_is_down(tmp_path, start_proxy):
    (tmp_path / "late").mkdir()
    issuer = Issuer(tmp_path / "late")
    proxy = start_proxy(issuer.url)
    try:
        response = ready(proxy)
        assert response.status_code == 503 and "not loaded" in response.text, response.text
        # Any JWT: there are no keys to check it with.
        forged = f'{b64(json.dumps({"alg": "RS256", "kid": "k", "typ": "JWT"}).encode())}.{b64(b"{}")}.{b64(b"x")}'
        latencies = []
        for _ in range(10):
            response, elapsed = timed(proxy, forged)
            assert response.status_code == 503, response.text
            assert response.json()["error"] == "temporarily_unavailable"
            latencies.append(elapsed)
        report("no keys, issuer refused", latencies)
        assert max(latencies) < 1.0, "no keys and a refused issuer: 503 at once, not after connect timeouts"
        assert ready(proxy).status_code == 503

        issuer.start()
        poll("ready with the issuer up", lambda: ready(proxy).status_code == 200)
        good = token(issuer.url, proxy.url)
        response, elapsed = timed(proxy, good)
        assert response.status_code == 200, response.text
    finally:
        issuer.stop()
