"""`kubectl explain` against the Kubernetes API emulator: the CRDs applied with kubectl, and
their field descriptions read back through the OpenAPI v3 the emulator publishes for them as
kube-apiserver does (kube_emulator.serve_openapi)."""
import subprocess

import pytest
import requests
import yaml

from conftest import ROOT, free_port
from kube_emulator import RunningEmulator

CRDS = {
    "mcpserver": ROOT / "crds" / "mcpruntime.org_mcpservers.yaml",
    "mcpaccessgrant": ROOT / "crds" / "mcpruntime.org_mcpaccessgrants.yaml",
    "mcpagentsession": ROOT / "crds" / "mcpruntime.org_mcpagentsessions.yaml",
}


class Cluster:
    def __init__(self, directory):
        self.directory = directory
        self.emulator = RunningEmulator(free_port()).start()
        self.kubeconfig = self.emulator.write_kubeconfig(directory / "kubeconfig")

    def kubectl(self, *args):
        result = subprocess.run(["kubectl", "--kubeconfig", self.kubeconfig, *args], capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, f"kubectl {' '.join(map(str, args))}: {result.stderr}"
        return result.stdout


@pytest.fixture
def cluster(tmp_path):
    cluster = Cluster(tmp_path)
    # The emulator publishes no OpenAPI for built-in kinds such as CustomResourceDefinition.
    cluster.kubectl("apply", "--validate=false", "-f", ROOT / "crds")
    yield cluster
    cluster.emulator.stop()


def crd(kind):
    return yaml.safe_load(CRDS[kind].read_text())


def schema(kind, path=""):
    """The CRD's schema of a dotted field path (list items followed)."""
    node = crd(kind)["spec"]["versions"][0]["schema"]["openAPIV3Schema"]
    for name in filter(None, path.split(".")):
        while "items" in node:
            node = node["items"]
        node = node["properties"][name]
    return node


def flat(text):
    """Whitespace folded: kubectl wraps and indents descriptions."""
    return " ".join(text.split())


def fields(node):
    while "items" in node:
        node = node["items"]
    return node.get("properties", {})


def assert_explained(output, node):
    """The field's own description and each of its fields' descriptions are printed."""
    printed = flat(output)
    assert flat(node["description"]) in printed
    for name, child in fields(node).items():
        assert f"{name}\t<" in output, name
        assert flat(child["description"]) in printed, name


def test_explain_mcpserver_spec_auth(cluster):
    output = cluster.kubectl("explain", "mcpserver.spec.auth")
    assert output.startswith("GROUP:      mcpruntime.org\nKIND:       MCPServer\nVERSION:    v1alpha1\n")
    assert "FIELD: auth <Object>" in output
    assert_explained(output, schema("mcpserver", "spec.auth"))


def test_explain_a_deep_field(cluster):
    output = cluster.kubectl("explain", "mcpserver.spec.auth.trustedSources")
    assert "FIELD: trustedSources <[]Object>" in output
    assert_explained(output, schema("mcpserver", "spec.auth.trustedSources"))
    deepest = cluster.kubectl("explain", "mcpserver.spec.auth.trustedSources.podSelector.matchExpressions.operator")
    assert "ENUM:\n    In\n    NotIn\n    Exists\n    DoesNotExist" in deepest
    assert flat(schema("mcpserver", "spec.auth.trustedSources.podSelector.matchExpressions.operator")["description"]) in flat(deepest)


def test_explain_mcpaccessgrant_spec_recursive(cluster):
    output = cluster.kubectl("explain", "mcpaccessgrant.spec", "--recursive")
    assert "KIND:       MCPAccessGrant" in output
    assert flat(schema("mcpaccessgrant", "spec")["description"]) in flat(output)

    def expected(node, depth):
        for name, child in sorted(fields(node).items()):
            required = " -required-" if name in (node.get("items", node)).get("required", []) else ""
            yield "  " * depth + name + "\t<", required
            yield from expected(child, depth + 1)

    lines = output.splitlines()
    for prefix, required in expected(schema("mcpaccessgrant", "spec"), 1):
        line = next((line for line in lines if line.startswith(prefix)), None)
        assert line is not None, f"{prefix!r} not in the recursive listing"
        assert line.endswith(required) if required else "-required-" not in line, line
    assert "  serverRef\t<Object> -required-" in lines
    assert "    name\t<string> -required-" in lines


def test_explain_mcpagentsession_spec(cluster):
    output = cluster.kubectl("explain", "mcpagentsession.spec")
    assert "KIND:       MCPAgentSession" in output
    assert_explained(output, schema("mcpagentsession", "spec"))


@pytest.mark.parametrize("kind", sorted(CRDS))
def test_explain_every_kind_root_and_status(cluster, kind):
    assert_explained(cluster.kubectl("explain", kind), {"description": schema(kind)["description"],
                                                        "properties": {"spec": schema(kind, "spec"), "status": schema(kind, "status")}})
    assert_explained(cluster.kubectl("explain", f"{kind}.status"), schema(kind, "status"))


def test_the_published_schema_is_the_applied_crds(cluster):
    """The OpenAPI follows what was applied, as kube-apiserver's does, with the builder's
    definition names and group-version-kinds."""
    changed = crd("mcpserver")
    changed["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]["properties"]["auth"]["description"] = "Changed by the test."
    path = cluster.directory / "changed.yaml"
    path.write_text(yaml.safe_dump(changed))
    cluster.kubectl("apply", "--validate=false", "-f", path)
    assert "Changed by the test." in cluster.kubectl("explain", "mcpserver.spec.auth")

    discovery = requests.get(f"{cluster.emulator.url}/openapi/v3", timeout=5).json()
    document = requests.get(cluster.emulator.url + discovery["paths"]["apis/mcpruntime.org/v1alpha1"]["serverRelativeURL"], timeout=5).json()
    schemas = document["components"]["schemas"]
    for kind in ["MCPServer", "MCPAccessGrant", "MCPAgentSession"]:
        gvk = {"group": "mcpruntime.org", "version": "v1alpha1", "kind": kind}
        assert schemas[f"org.mcpruntime.v1alpha1.{kind}"]["x-kubernetes-group-version-kind"] == [gvk]
        assert schemas[f"org.mcpruntime.v1alpha1.{kind}List"]["x-kubernetes-group-version-kind"] == [{**gvk, "kind": kind + "List"}]
    operation = document["paths"]["/apis/mcpruntime.org/v1alpha1/namespaces/{namespace}/mcpservers/{name}"]["patch"]
    assert operation["x-kubernetes-group-version-kind"] == {"group": "mcpruntime.org", "version": "v1alpha1", "kind": "MCPServer"}
    assert requests.get(f"{cluster.emulator.url}/openapi/v3/apis/nothing.example/v1", timeout=5).status_code == 404
