"""Evaluates every x-kubernetes-validations rule of the CRDs with a real CEL
implementation, after applying schema defaults as the API server does, so the
admission-time rules are known to compile and to accept and reject what they should."""
import copy
import pathlib

import celpy
import pytest
import yaml

CRDS = pathlib.Path(__file__).resolve().parents[2] / "crds"


def schema(file):
    crd = yaml.safe_load((CRDS / file).read_text())
    return crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]


def rules(node, path=""):
    """(path, rule, message) of every CEL rule in a schema."""
    found = [(path, r["rule"], r["message"]) for r in node.get("x-kubernetes-validations", [])]
    for name, child in node.get("properties", {}).items():
        found += rules(child, f"{path}.{name}")
    if "items" in node:
        found += rules(node["items"], f"{path}[]")
    return found


def defaulted(node, value):
    """Applies `default:` values the way the API server does before validation."""
    if isinstance(value, dict):
        value = dict(value)
        for name, child in node.get("properties", {}).items():
            if name not in value and "default" in child:
                value[name] = copy.deepcopy(child["default"])
            if name in value:
                value[name] = defaulted(child, value[name])
    elif isinstance(value, list) and "items" in node:
        value = [defaulted(node["items"], item) for item in value]
    return value


def lookup(node, path):
    for part in path.strip(".").split("."):
        if part:
            node = node["properties"][part]
    return node


def violations(file, obj):
    """Messages of the rules `obj` breaks."""
    root = schema(file)
    obj = defaulted(root, obj)
    env = celpy.Environment()
    broken = []
    for path, rule, message in rules(root):
        program = env.program(env.compile(rule))
        for target in targets(obj, path):
            if not program.evaluate({"self": celpy.json_to_cel(target)}):
                broken.append(message)
    return broken


def targets(obj, path):
    """The values a rule at `path` applies to: none when a field on the way is absent,
    one per item below a list (`[]`), as the API server evaluates them."""
    values = [obj]
    for part in path.strip(".").split("."):
        if not part:
            continue
        name, each = (part[:-2], True) if part.endswith("[]") else (part, False)
        found = [value.get(name) for value in values if isinstance(value, dict) and value.get(name) is not None]
        values = [item for value in found for item in value] if each else found
    return values


def server(**spec):
    base = {"image": "ghcr.io/acme/weather-mcp:1.0.0", "ingressHost": "mcp.example.com", "publicPathPrefix": "team-a"}
    base.update(spec)
    return {"apiVersion": "mcpruntime.org/v1alpha1", "kind": "MCPServer", "metadata": {"name": "weather"}, "spec": base}


OAUTH = {"mode": "oauth", "issuerURL": "https://auth.example.com"}
SECRET = {"name": "s", "key": "k"}

SERVER_CASES = [
    ("valid none", server(), None),
    ("valid oauth", server(auth=OAUTH), None),
    ("oauth without issuer", server(auth={"mode": "oauth"}), "issuerURL is required"),
    ("oauth with empty issuer", server(auth={"mode": "oauth", "issuerURL": ""}), "issuerURL is required"),
    ("oauth without any resource URI", server(auth=OAUTH, ingressHost=None), "needs a resource URI"),
    ("oauth with only an audience", server(auth={**OAUTH, "audience": "https://mcp.example.com/x"}, ingressHost=None), None),
    ("oauth with publicURL", server(auth=OAUTH, ingressHost=None, publicURL="https://mcp.example.com/x"), None),
    ("gateway port equals port", server(port=8091), "gateway.port must differ"),
    ("explicit ports equal", server(port=9000, gateway={"port": 9000}), "gateway.port must differ"),
    ("gateway disabled with auth", server(auth={"mode": "header"}, gateway={"enabled": False}), "cannot be disabled"),
    ("gateway disabled without auth", server(gateway={"enabled": False}), None),
    ("gateway disabled with auth none", server(auth={"mode": "none"}, gateway={"enabled": False}), None),
    ("upstream secret without ref", server(upstreamAuth={"mode": "secret"}), "secretRef is required"),
    ("upstream secret with ref", server(upstreamAuth={"mode": "secret", "secretRef": SECRET}), None),
    ("token exchange without oauth", server(upstreamAuth={"mode": "tokenExchange", "tokenExchange": {"audience": "a", "clientID": "c", "clientSecretRef": SECRET}}), "tokenExchange needs"),
    ("token exchange with oauth", server(auth=OAUTH, upstreamAuth={"mode": "tokenExchange", "tokenExchange": {"audience": "a", "clientID": "c", "clientSecretRef": SECRET}}), None),
    ("canary without replicas", server(rollout={"strategy": "Canary"}), "Canary rollout needs"),
    ("canary not below replicas", server(replicas=2, rollout={"strategy": "Canary", "canaryReplicas": 2}), "Canary rollout needs"),
    ("canary below replicas", server(replicas=3, rollout={"strategy": "Canary", "canaryReplicas": 1}), None),
    ("bindings default to Same", server(bindings={}), None),
    ("bindings from All", server(bindings={"from": "All"}), None),
    ("bindings from Selector by name", server(bindings={"from": "Selector", "namespaces": ["team-b"]}), None),
    ("bindings from Selector by labels", server(bindings={"from": "Selector", "namespaceSelector": {"matchLabels": {"mcp": "consumer"}}}), None),
    ("bindings from Selector by expression", server(bindings={"from": "Selector", "namespaceSelector": {"matchExpressions": [{"key": "mcp", "operator": "Exists"}]}}), None),
    ("bindings namespaces without Selector", server(bindings={"namespaces": ["team-b"]}), "used only with spec.bindings.from Selector"),
    ("bindings selector with All", server(bindings={"from": "All", "namespaceSelector": {"matchLabels": {"a": "b"}}}), "used only with spec.bindings.from Selector"),
    ("bindings Selector naming nothing", server(bindings={"from": "Selector", "namespaces": []}), "needs spec.bindings.namespaces or"),
    ("bindings empty selector", server(bindings={"from": "Selector", "namespaceSelector": {"matchLabels": {}}}), "matches every namespace"),
    ("bindings In without values", server(bindings={"from": "Selector", "namespaceSelector": {"matchExpressions": [{"key": "a", "operator": "In"}]}}), "spec.bindings.namespaceSelector matchExpressions with In"),
    ("header mode with a trusted gateway", server(auth={"mode": "header", "trustedSources": [
        {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "sso"}}, "podSelector": {"matchLabels": {"app": "gateway"}}}]}), None),
    ("a trusted pod selector alone", server(auth={"mode": "header", "trustedSources": [{"podSelector": {"matchLabels": {"app": "gateway"}}}]}), None),
    ("any namespace, some pods", server(auth={"mode": "header", "trustedSources": [{"namespaceSelector": {}, "podSelector": {"matchLabels": {"app": "gateway"}}}]}), None),
    ("a trusted source selecting nothing", server(auth={"mode": "header", "trustedSources": [{}]}), "needs a podSelector, a namespaceSelector or both"),
    ("a trusted source of every pod", server(auth={"mode": "header", "trustedSources": [{"namespaceSelector": {}}]}), "admits every pod in the cluster"),
    ("a trusted source of every pod, twice empty", server(auth={"mode": "header", "trustedSources": [{"namespaceSelector": {"matchLabels": {}}, "podSelector": {}}]}), "admits every pod in the cluster"),
    ("trusted namespaces In without values", server(auth={"mode": "header", "trustedSources": [{"namespaceSelector": {"matchExpressions": [{"key": "a", "operator": "NotIn"}]}}]}),
     "trustedSources namespaceSelector matchExpressions with In"),
    ("trusted pods DoesNotExist with values", server(auth={"mode": "header", "trustedSources": [{"podSelector": {"matchExpressions": [{"key": "a", "operator": "DoesNotExist", "values": ["x"]}]}}]}),
     "trustedSources podSelector matchExpressions with In"),
    ("bindings Exists with values", server(bindings={"from": "Selector", "namespaceSelector": {"matchExpressions": [{"key": "a", "operator": "Exists", "values": ["x"]}]}}), "spec.bindings.namespaceSelector matchExpressions with In"),
]


@pytest.mark.parametrize("name,obj,message", SERVER_CASES, ids=[c[0] for c in SERVER_CASES])
def test_server_rules(name, obj, message):
    obj["spec"] = {k: v for k, v in obj["spec"].items() if v is not None}
    broken = violations("mcpruntime.org_mcpservers.yaml", obj)
    if message is None:
        assert broken == []
    else:
        assert len(broken) == 1 and message in broken[0], broken


def binding(kind, **subject):
    return {"apiVersion": "mcpruntime.org/v1alpha1", "kind": kind, "metadata": {"name": "b"},
            "spec": {"serverRef": {"name": "weather"}, "subject": subject}}


@pytest.mark.parametrize("file,kind", [("mcpruntime.org_mcpaccessgrants.yaml", "MCPAccessGrant"), ("mcpruntime.org_mcpagentsessions.yaml", "MCPAgentSession")])
def test_subject_names_someone(file, kind):
    assert violations(file, binding(kind)) == ["at least one of humanID, agentID or teamID is required"]
    assert violations(file, binding(kind, teamID="team-a")) == []


def test_every_rule_is_exercised():
    """A rule added to a CRD without a failing case here fails this test."""
    messages = [message for _, _, message in rules(schema("mcpruntime.org_mcpservers.yaml"))]
    exercised = {c[2] for c in SERVER_CASES if c[2]}
    for message in messages:
        assert any(fragment in message for fragment in exercised), f"no failing case for rule: {message}"


def test_named_lists_are_unique_by_schema():
    """Tool names (and env var, rule and condition names) are unique because the lists are
    list-maps keyed by name: the API server rejects duplicates before any CEL rule runs."""
    spec = schema("mcpruntime.org_mcpservers.yaml")["properties"]["spec"]["properties"]
    for field in ("tools", "envVars", "secretEnvVars", "prompts", "mcpResources", "tasks"):
        assert spec[field]["x-kubernetes-list-type"] == "map", field
        assert spec[field]["x-kubernetes-list-map-keys"] == ["name"], field
        assert "name" in spec[field]["items"]["required"], field
    rules = schema("mcpruntime.org_mcpaccessgrants.yaml")["properties"]["spec"]["properties"]["toolRules"]
    assert rules["x-kubernetes-list-type"] == "map" and rules["x-kubernetes-list-map-keys"] == ["name"]


def grant(**spec):
    obj = binding("MCPAccessGrant", humanID="alice")
    obj["spec"].update(spec)
    return obj


GRANT_CASES = [
    ("prefix", grant(resourceRules=[{"uriPrefix": "weather://public/", "decision": "allow"}]), None),
    ("pattern", grant(resourceRules=[{"uriPattern": "weather://**/ops", "decision": "deny"}]), None),
    ("neither", grant(resourceRules=[{"decision": "allow"}]), "exactly one of uriPrefix or uriPattern"),
    ("both", grant(resourceRules=[{"uriPrefix": "a", "uriPattern": "b", "decision": "allow"}]), "exactly one of uriPrefix or uriPattern"),
    ("three stars", grant(resourceRules=[{"uriPattern": "file:///***", "decision": "allow"}]), "*** means neither"),
    ("percent in a prefix", grant(resourceRules=[{"uriPrefix": "file:///a%20b", "decision": "deny"}]), "without %"),
    ("percent in a pattern", grant(resourceRules=[{"uriPattern": "file:///%2A", "decision": "deny"}]), "without %"),
]


@pytest.mark.parametrize("name,obj,message", GRANT_CASES, ids=[c[0] for c in GRANT_CASES])
def test_grant_rules(name, obj, message):
    broken = violations("mcpruntime.org_mcpaccessgrants.yaml", obj)
    if message is None:
        assert broken == []
    else:
        assert len(broken) == 1 and message in broken[0], broken


def test_every_grant_rule_is_exercised():
    messages = [message for _, _, message in rules(schema("mcpruntime.org_mcpaccessgrants.yaml"))]
    exercised = {c[2] for c in GRANT_CASES if c[2]} | {"at least one of humanID"}
    for message in messages:
        assert any(fragment in message for fragment in exercised), f"no failing case for rule: {message}"


def test_prompt_rules_are_unique_by_schema():
    rules = schema("mcpruntime.org_mcpaccessgrants.yaml")["properties"]["spec"]["properties"]["promptRules"]
    assert rules["x-kubernetes-list-type"] == "map" and rules["x-kubernetes-list-map-keys"] == ["name"]
