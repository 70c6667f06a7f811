import base64
"""`kubectl apply -f manifests/samples/` on an empty cluster: the CRDs, then the samples in
one go, against the Kubernetes API emulator made as strict as kube-apiserver about
namespaces (NamespaceLifecycle: nothing is created in a namespace that does not exist),
with the operator rendering every sample server."""
import subprocess

import kmock
import pytest
import yaml

import kube_emulator
from conftest import BIN, ROOT
from test_operator import GROUP, Kube, Operator, condition, eventually

SAMPLES = ROOT / "manifests" / "samples"
PLURALS = {"MCPServer": "mcpservers", "MCPAccessGrant": "mcpaccessgrants", "MCPAgentSession": "mcpagentsessions"}


class NamespaceLifecycle(kube_emulator.Emulator):
    """Refuses a namespaced create in a namespace that does not exist, as kube-apiserver's
    NamespaceLifecycle admission plugin does (404 `namespaces "x" not found`)."""

    async def _handle(self, request):
        if (request.action == kmock.action.CREATE and request.resource is not None and request.namespace
                and request.resource.plural != "namespaces"):
            namespaces = [obj for (resource, _, name), obj in self.objects._objects.items()
                          if resource.plural == "namespaces" and resource.group == "" and name == request.namespace and not obj.deleted]
            if not namespaces:
                raise kmock.KubernetesNotFoundError(message=f'namespaces "{request.namespace}" not found')
        return await super()._handle(request)


@pytest.fixture
def cluster(tmp_path, monkeypatch):
    monkeypatch.setattr(kube_emulator, "Emulator", NamespaceLifecycle)
    kube = Kube(tmp_path)
    # (Kube.kubectl applies with --validate=false: the emulator has no OpenAPI of built-in kinds.)
    kube.kubectl("apply", "-f", ROOT / "crds")
    yield kube
    kube.stop()


def samples():
    """Every document of manifests/samples/, in the order kubectl applies them."""
    return [document for path in sorted(SAMPLES.glob("*.yaml")) for document in yaml.safe_load_all(path.read_text()) if document]


def api_path(document):
    meta = document["metadata"]
    if document["kind"] == "Namespace":
        return f"/api/v1/namespaces/{meta['name']}"
    if document["apiVersion"] == "v1":
        return f"/api/v1/namespaces/{meta['namespace']}/{document['kind'].lower()}s/{meta['name']}"
    return f"{GROUP}/namespaces/{meta['namespace']}/{PLURALS[document['kind']]}/{meta['name']}"


def secret_refs(value):
    """Every {name, key} Secret reference in a spec (secretKeyRef, secretRef, ...SecretRef)."""
    if isinstance(value, dict):
        for field, item in value.items():
            if field in ("secretKeyRef", "secretRef") or field.endswith("SecretRef"):
                yield field, item
            else:
                yield from secret_refs(item)
    elif isinstance(value, list):
        for item in value:
            yield from secret_refs(item)


def test_the_emulator_refuses_objects_in_a_missing_namespace(cluster):
    """Without this the test below could not fail: kmock alone accepts any namespace."""
    result = subprocess.run(["kubectl", "--kubeconfig", cluster.kubeconfig, "apply", "-f", SAMPLES / "oauth-path-based.yaml"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert 'namespaces "team-a" not found' in result.stderr


def test_the_samples_apply_in_one_go_on_an_empty_cluster(cluster):
    cluster.kubectl("apply", "-f", SAMPLES)
    documents = samples()
    for document in documents:
        stored = cluster.get(api_path(document))
        assert stored is not None, f"{document['kind']} {api_path(document)} was not created"
        if "spec" in document:
            assert stored["spec"] == document["spec"], f"{api_path(document)}: spec"
        if "stringData" in document:
            # Stored as the API server stores it: merged into data, base64-encoded.
            data = {key: base64.b64decode(value).decode() for key, value in stored["data"].items()}
            assert data == document["stringData"] and "stringData" not in stored, f"{api_path(document)}: data"

    # Every Secret a sample refers to is among the samples, in the server's namespace, with the key.
    secrets = {(d["metadata"]["namespace"], d["metadata"]["name"]): d["stringData"] for d in documents if d["kind"] == "Secret"}
    servers = {(d["metadata"]["namespace"], d["metadata"]["name"]): d for d in documents if d["kind"] == "MCPServer"}
    refs = [(namespace, field, ref) for (namespace, _), server in servers.items() for field, ref in secret_refs(server["spec"])]
    refs += [(d["spec"]["serverRef"].get("namespace", d["metadata"]["namespace"]), field, ref)
             for d in documents if d["kind"] in ("MCPAccessGrant", "MCPAgentSession") for field, ref in secret_refs(d["spec"])]
    assert len(refs) == 3
    for namespace, field, ref in refs:
        assert ref["key"] in secrets.get((namespace, ref["name"]), {}), f"{field} {namespace}/{ref['name']} key {ref['key']}"
        if field == "bindingKeySecretRef":
            assert len(secrets[(namespace, ref["name"])][ref["key"]].encode()) >= 32, "a session binding key has 32 bytes or more"
    assert all("EXAMPLE-ONLY" in value for data in secrets.values() for value in data.values()), "sample Secrets are marked as fake"


def test_every_sample_server_gets_a_status_and_becomes_ready(cluster, tmp_path):
    cluster.kubectl("apply", "-f", SAMPLES)
    operator = Operator(cluster, tmp_path)
    try:
        documents = samples()
        servers = [(d["metadata"]["namespace"], d["metadata"]["name"]) for d in documents if d["kind"] == "MCPServer"]
        assert sorted(servers) == [("mcp-servers", "docs"), ("mcp-servers", "tickets"), ("team-a", "weather")]
        for namespace, name in servers:
            status = eventually(lambda: cluster.status("mcpservers", namespace, name).get("conditions") and cluster.status("mcpservers", namespace, name),
                                what=f"a status of {namespace}/{name}")
            assert status["phase"] == "Pending", status
            assert condition(status, "ConfigRendered")["status"] == "True", status
            assert condition(status, "ResourceURIResolved")["status"] == "True", status
            cluster.emulator.roll_out(namespace, f"{name}-proxy", f"{name}-server")
        for namespace, name in servers:
            status = eventually(lambda: (s := cluster.status("mcpservers", namespace, name)).get("phase") == "Ready" and s,
                                what=f"{namespace}/{name} Ready")
            assert all(c["status"] == "True" for c in status["conditions"]), status
        for document in documents:
            if document["kind"] in ("MCPAccessGrant", "MCPAgentSession"):
                meta = document["metadata"]
                assert eventually(lambda: cluster.status(PLURALS[document["kind"]], meta["namespace"], meta["name"]).get("phase")) == "Bound"
    finally:
        assert operator.stop() == 0, "the operator exits cleanly on SIGTERM"


def test_mcp_runtime_render_reads_the_samples_directory():
    """The Namespaces and Secrets beside the MCP objects are skipped, silently."""
    result = subprocess.run([BIN / "mcp-runtime", "render", "-f", SAMPLES], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    rendered = [d for d in yaml.safe_load_all(result.stdout) if d]
    assert {(d["metadata"]["namespace"], d["metadata"]["labels"]["mcpruntime.org/server"]) for d in rendered} == {
        ("team-a", "weather"), ("mcp-servers", "docs"), ("mcp-servers", "tickets")}
    assert not [d for d in rendered if d["kind"] in ("Namespace", "Secret")]
