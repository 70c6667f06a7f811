"""mcp-proxy against an authorization server behind a private CA (`spec.auth.issuerCASecretRef`,
`auth.oauth.issuerCAFile`): a real nanoidp whose issuer is an https URL served by a
TLS-terminating relay with a server certificate of a CA made here. With the CA file the
proxy fetches metadata and keys over TLS and a token is accepted; without it (the system
store) or with another CA's file it never completes a handshake and fails closed (not
ready, 503); a file that is not a PEM certificate stops mcp-proxy at start, naming the
file, and a reload naming another CA file is warned about and changes nothing until a
restart. Every wait polls a condition; the only sleep lets the relay's handshake counters
settle between proxies."""
import datetime
import ipaddress
import json
import select
import socket
import ssl
import subprocess
import threading
import time

import pytest
import requests
import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from conftest import BIN, MANIFEST, VENV, Proxy, free_port, wait_for

CALL = {"jsonrpc": "2.0", "id": 7, "method": "tools/call", "params": {"name": "get_forecast", "arguments": {}}}
# Short cache intervals, so that the failing cases retry within the test's polls.
FAST = {"refreshSeconds": 1, "maxStalenessSeconds": 3600, "minFetchIntervalSeconds": 1, "fetchWaitMilliseconds": 500}
RENDERED_CA_FILE = "/var/run/secrets/mcp-runtime/issuer-ca/ca.crt"
CA_MANIFEST = MANIFEST.replace(
    "    issuerURL: {issuer}\n",
    "    issuerURL: {issuer}\n    issuerCASecretRef: {{name: corp-root-ca, key: ca.crt}}\n",
)
assert CA_MANIFEST != MANIFEST


def pem(cert):
    return cert.public_bytes(serialization.Encoding.PEM)


def make_ca(name):
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1)).not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True, content_commitment=False,
                                     key_encipherment=False, data_encipherment=False, key_agreement=False,
                                     encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return key, cert


def make_server_cert(ca_key, ca_cert):
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "issuer.test")]))
        .issuer_name(ca_cert.subject).public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1)).not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    return key, cert


class TLSRelay:
    """TLS on 127.0.0.1:port with `certfile`/`keyfile`, relayed byte for byte to a plain port,
    one thread per connection. Counts handshakes that completed and that failed, so a test
    can tell that the proxy did connect and refused the certificate."""

    def __init__(self, certfile, keyfile, target_port):
        self.context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.context.load_cert_chain(certfile, keyfile)
        self.target_port = target_port
        self.lock = threading.Lock()
        self.completed = 0
        self.failed = 0
        self.errors = []
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self.serve, daemon=True).start()

    def reset(self):
        # A proxy stopped a moment ago may have left a handshake behind (its background
        # refreshes run every second here): let the relay see it end before counting anew.
        time.sleep(0.3)
        with self.lock:
            self.completed = self.failed = 0
            self.errors = []

    def serve(self):
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self.relay, args=(connection,), daemon=True).start()

    def relay(self, connection):
        connection.settimeout(10)
        try:
            tls = self.context.wrap_socket(connection, server_side=True)
        except (ssl.SSLError, OSError) as error:
            with self.lock:
                self.failed += 1
                self.errors.append(repr(error))
            connection.close()
            return
        with self.lock:
            self.completed += 1
        try:
            upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=10)
        except OSError:
            tls.close()
            return
        try:
            tls.settimeout(None)
            upstream.settimeout(None)
            while True:
                # Bytes TLS has already decrypted are not seen by select.
                readable = [tls] if tls.pending() else select.select([tls, upstream], [], [], 60)[0]
                if not readable:
                    return
                for source in readable:
                    data = source.recv(65536)
                    if not data:
                        return
                    (upstream if source is tls else tls).sendall(data)
        except (ssl.SSLError, OSError):
            pass
        finally:
            upstream.close()
            tls.close()

    def stop(self):
        self.listener.close()


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    directory = tmp_path_factory.mktemp("issuer-pki")
    ca_key, ca_cert = make_ca("corp root CA (test)")
    _, other_cert = make_ca("some other CA (test)")
    server_key, server_cert = make_server_cert(ca_key, ca_cert)
    files = {
        "ca": directory / "ca.crt", "other": directory / "other-ca.crt",
        "server": directory / "server.crt", "server_key": directory / "server.key",
        "garbage": directory / "garbage.pem", "bundle": directory / "bundle.pem",
    }
    files["ca"].write_bytes(pem(ca_cert))
    files["other"].write_bytes(pem(other_cert))
    files["bundle"].write_bytes(pem(other_cert) + pem(ca_cert))
    files["server"].write_bytes(pem(server_cert))
    files["server_key"].write_bytes(server_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    files["garbage"].write_text("-----BEGIN CERTIFICATE-----\nthis is no certificate\n-----END CERTIFICATE-----\n")
    return files


@pytest.fixture(scope="module")
def tls_idp(tmp_path_factory, pki):
    """nanoidp on a plain port, its issuer the https URL of a relay in front of it."""
    directory = tmp_path_factory.mktemp("nanoidp-tls")
    subprocess.run([VENV / "nanoidp", "init", directory / "cfg"], check=True, capture_output=True)
    plain_port = free_port()
    relay = TLSRelay(pki["server"], pki["server_key"], plain_port)
    issuer = f"https://127.0.0.1:{relay.port}"
    settings_path = directory / "cfg" / "settings.yaml"
    settings = yaml.safe_load(settings_path.read_text())
    settings["server"]["port"] = plain_port
    settings["oauth"]["issuer"] = issuer
    settings["oauth"]["scopes_supported"] = ["openid", "mcp:tools", "weather:write"]
    settings["oauth"]["clients"] = [{"client_id": "agent", "client_secret": "agent-secret", "description": "granted"}]
    settings_path.write_text(yaml.safe_dump(settings))
    log = open(directory / "nanoidp.log", "w")
    process = subprocess.Popen([VENV / "nanoidp", "--config", directory / "cfg"], stdout=log, stderr=subprocess.STDOUT, cwd=directory)
    try:
        wait_for(f"http://127.0.0.1:{plain_port}/.well-known/oauth-authorization-server")
        # Through the relay, with the private CA: what the proxy will see.
        metadata = requests.get(f"{issuer}/.well-known/oauth-authorization-server", verify=str(pki["ca"]), timeout=10).json()
        assert metadata["issuer"] == issuer and metadata["jwks_uri"].startswith(issuer)
        relay.plain = f"http://127.0.0.1:{plain_port}"
        relay.issuer = issuer
        yield relay
    finally:
        process.terminate()
        process.wait(timeout=10)
        relay.stop()


def token(relay, resource):
    """From nanoidp's plain port, so that the relay counts only the proxy's connections;
    the token's `iss` is the https issuer all the same."""
    response = requests.post(f"{relay.plain}/token", data={"grant_type": "client_credentials", "scope": "mcp:tools", "resource": resource},
                             auth=("agent", "agent-secret"), timeout=10)
    response.raise_for_status()
    return response.json()["access_token"]


@pytest.fixture
def start_proxy(tmp_path, upstream, tls_idp):
    started = []

    def start(ca_file):
        def edit(config):
            oauth = config["auth"]["oauth"]
            assert oauth["issuerCAFile"] == RENDERED_CA_FILE, "rendered from spec.auth.issuerCASecretRef"
            if ca_file is None:
                del oauth["issuerCAFile"]
            else:
                oauth["issuerCAFile"] = str(ca_file)
            oauth["issuerCache"] = FAST

        directory = tmp_path / f"proxy-{len(started)}"
        directory.mkdir()
        for proxy in started:
            proxy.stop()
        tls_idp.reset()
        proxy = Proxy(directory, tls_idp.issuer, upstream.server_address[1], manifest=CA_MANIFEST, edit=edit)
        started.append(proxy)
        return proxy

    yield start
    for proxy in started:
        proxy.stop()


def call(proxy, bearer):
    return requests.post(proxy.url, data=json.dumps(CALL), headers={"Content-Type": "application/json", "Authorization": f"Bearer {bearer}"}, timeout=30)


def ready(proxy):
    return requests.get(f"http://127.0.0.1:{proxy.admin}/readyz", timeout=5)


def poll(what, condition, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.parametrize("ca", ["ca", "bundle"])
def test_a_token_is_accepted_through_the_private_ca(tls_idp, pki, start_proxy, seen, ca):
    proxy = start_proxy(pki[ca])
    poll("the proxy ready", lambda: ready(proxy).status_code == 200)
    assert tls_idp.completed > 0 and tls_idp.failed == 0, f"metadata and keys came over TLS: {tls_idp.errors}"
    good = token(tls_idp, proxy.url)
    response = call(proxy, good)
    assert response.status_code == 200, response.text
    assert len(seen) == 1 and seen[0]["headers"]["x-mcp-human-id"] == "agent"
    assert good not in json.dumps(seen[0]["headers"])
    log = (proxy.directory / "proxy.log").read_text()
    assert "certificates of auth.oauth.issuerCAFile only" in log and str(pki[ca]) in log


@pytest.mark.parametrize("ca", [None, "other"], ids=["system-store", "another-ca"])
def test_an_issuer_of_a_ca_not_trusted_fails_closed(tls_idp, pki, start_proxy, seen, ca):
    proxy = start_proxy(pki[ca] if ca else None)
    good = token(tls_idp, proxy.url)
    # The proxy reaches the issuer and refuses its certificate, again and again.
    poll("refused handshakes", lambda: tls_idp.failed >= 2 and ready(proxy).status_code == 503)
    assert tls_idp.completed == 0, "no handshake with the proxy completed"
    readiness = ready(proxy)
    assert readiness.status_code == 503 and "not ready" in readiness.text, readiness.text
    for _ in range(3):
        response = call(proxy, good)
        assert response.status_code == 503, response.text
        assert response.json()["error"] == "temporarily_unavailable"
    assert seen == [], "nothing reaches the upstream"
    assert proxy.process.poll() is None, "the proxy keeps running, failing closed"


@pytest.mark.parametrize("which", ["garbage", "missing"])
def test_a_ca_file_that_is_not_a_certificate_stops_the_proxy_at_start(tmp_path, tls_idp, pki, upstream, which):
    ca_file = pki["garbage"] if which == "garbage" else tmp_path / "absent.pem"
    tls_idp.reset()
    manifest = tmp_path / "server.yaml"
    manifest.write_text(CA_MANIFEST.format(proxy_port=free_port(), issuer=tls_idp.issuer, disabled="false"))
    rendered = subprocess.run([BIN / "mcp-runtime", "render", "-f", manifest, "--proxy-config", "weather"], check=True, capture_output=True, text=True)
    config = json.loads(rendered.stdout)
    config["auth"]["oauth"]["issuerCAFile"] = str(ca_file)
    (tmp_path / "config.json").write_text(json.dumps(config))
    started = subprocess.run(
        [BIN / "mcp-proxy", "--config", tmp_path / "config.json", "--listen", f"127.0.0.1:{free_port()}",
         "--admin-listen", f"127.0.0.1:{free_port()}", "--upstream", f"http://127.0.0.1:{upstream.server_address[1]}/mcp"],
        capture_output=True, text=True, timeout=30)
    assert started.returncode != 0
    assert f"auth.oauth.issuerCAFile {ca_file}" in started.stderr, started.stderr
    assert ("no such file" if which == "missing" else "certificate") in started.stderr, started.stderr
    assert tls_idp.completed == 0


def test_a_reload_with_another_ca_file_warns_and_keeps_the_trust_of_the_start(tls_idp, pki, start_proxy, seen):
    proxy = start_proxy(pki["ca"])
    poll("the proxy ready", lambda: ready(proxy).status_code == 200)
    config = json.loads(proxy.config.read_text())
    config["auth"]["oauth"]["issuerCAFile"] = str(pki["other"])
    proxy.config.write_text(json.dumps(config))
    log = proxy.directory / "proxy.log"
    poll("the warning", lambda: "differs from the one read at start" in log.read_text())
    assert "config reloaded" in log.read_text()
    response = call(proxy, token(tls_idp, proxy.url))
    assert response.status_code == 200, response.text
    assert len(seen) == 1
