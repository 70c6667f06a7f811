"""The parts of a cluster network the end-to-end run plays itself (docs/e2e.md): Service
addresses, a private CA, TLS in front of a plain peer, and forwarding to a Service's
ready endpoints.

Service addresses ("ClusterIPs") are /32 addresses from 10.96.0.0/24 added to the host's
loopback interface, as kube-proxy's IPVS mode adds them to a dummy interface: the host
reaches them directly and pods reach them through their default route (the Podman
bridge's gateway is the host). They are removed when the run ends."""
import asyncio
import datetime
import ipaddress
import socket
import ssl
import subprocess
import threading

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

SERVICE_RANGE = ipaddress.ip_network("10.96.0.0/24")


class ServiceAddresses:
    """ClusterIPs on the host's loopback interface, one per (namespace, Service)."""

    def __init__(self):
        self.addresses = {}
        self._free = iter(list(SERVICE_RANGE.hosts()))

    def allocate(self, namespace, name):
        key = (namespace, name)
        if key not in self.addresses:
            address = str(next(self._free))
            subprocess.run(["ip", "addr", "replace", f"{address}/32", "dev", "lo"], check=True)
            self.addresses[key] = address
        return self.addresses[key]

    def host_entries(self):
        """/etc/hosts lines for every Service: NAME.NS.svc and NAME.NS.svc.cluster.local."""
        return [(f"{name}.{namespace}.svc{suffix}", address)
                for (namespace, name), address in sorted(self.addresses.items()) for suffix in ("", ".cluster.local")]

    def release(self):
        for address in self.addresses.values():
            subprocess.run(["ip", "addr", "del", f"{address}/32", "dev", "lo"], capture_output=True)
        self.addresses.clear()


class CertificateAuthority:
    """A private CA, as a cluster's (the API server's serving certificate) or a company's
    (the authorization server's); certificates for IP addresses and names."""

    def __init__(self, directory, name="mcp-runtime e2e CA"):
        self.directory = directory
        self.key = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        now = datetime.datetime.now(datetime.timezone.utc)
        self.certificate = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
                            .public_key(self.key.public_key()).serial_number(x509.random_serial_number())
                            .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
                            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
                            .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True, content_commitment=False,
                                                         key_encipherment=False, data_encipherment=False, key_agreement=False,
                                                         encipher_only=False, decipher_only=False), critical=True)
                            .sign(self.key, hashes.SHA256()))
        self.pem = self.certificate.public_bytes(serialization.Encoding.PEM).decode()
        self.path = directory / "ca.crt"
        self.path.write_text(self.pem)

    def issue(self, name, addresses=(), dns_names=()):
        """A serving certificate; (certificate file, key file)."""
        key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.datetime.now(datetime.timezone.utc)
        names = [x509.IPAddress(ipaddress.ip_address(a)) for a in addresses] + [x509.DNSName(d) for d in dns_names]
        certificate = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]))
                       .issuer_name(self.certificate.subject).public_key(key.public_key()).serial_number(x509.random_serial_number())
                       .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
                       .add_extension(x509.SubjectAlternativeName(names), critical=False)
                       .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
                       .sign(self.key, hashes.SHA256()))
        cert_path, key_path = self.directory / f"{name}.crt", self.directory / f"{name}.key"
        cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
        key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
        return cert_path, key_path

    def server_context(self, name, addresses=(), dns_names=()):
        cert, key = self.issue(name, addresses, dns_names)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert, key)
        return context


class Relay:
    """TCP relays in one event loop thread: LISTEN -> a target chosen per connection,
    optionally terminating TLS on the listening side. Plays a TLS-terminating load
    balancer in front of a plain peer, and kube-proxy/port-forward to a Service's ready
    endpoints."""

    def __init__(self):
        self.loop = asyncio.new_event_loop()
        self.servers = []
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def listen(self, host, port, target, tls=None):
        """`target()` returns (host, port) or None (no ready endpoint: the connection is closed)."""
        async def start():
            server = await asyncio.start_server(lambda r, w: self._pipe(r, w, target), host, port, ssl=tls, reuse_address=True)
            self.servers.append(server)
        asyncio.run_coroutine_threadsafe(start(), self.loop).result(10)

    async def _pipe(self, reader, writer, target):
        endpoint = target()
        if endpoint is None:
            writer.close()
            return
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(*endpoint)
        except OSError:
            writer.close()
            return

        async def copy(source, sink):
            try:
                while data := await source.read(65536):
                    sink.write(data)
                    await sink.drain()
            except (OSError, ssl.SSLError, asyncio.IncompleteReadError):
                pass
            finally:
                try:
                    sink.close()
                except (OSError, RuntimeError):
                    pass

        await asyncio.gather(copy(reader, upstream_writer), copy(upstream_reader, writer))

    def stop(self):
        async def close():
            for server in self.servers:
                server.close()
        asyncio.run_coroutine_threadsafe(close(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


def free_port(host="127.0.0.1"):
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]
