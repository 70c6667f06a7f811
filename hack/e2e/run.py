"""hack/e2e.sh (`--check`: PASS/FAIL per step, non-zero exit on any failure) and
hack/demo.sh (`--demo`: the same run narrated for a person). Real peers only: kmock as the
Kubernetes API, nanoidp as the authorization server, an MCP server and the client from
the official MCP Python SDK; mcp-runtime operator and mcp-proxy as built."""
import argparse
import asyncio
import json
import pathlib
import subprocess
import sys
import time
import urllib.parse

import requests

import oauth_client
from stack import NAMESPACE, OPERATOR_NAMESPACE, SERVER, Stack, manifest, wait_until

BOLD, DIM, GREEN, RED, RESET = "\033[1m", "\033[2m", "\033[32m", "\033[31m", "\033[0m"


class Report:
    def __init__(self, demo):
        self.demo = demo
        self.failures = 0

    def step(self, title):
        print(f"\n{BOLD}== {title}{RESET}" if self.demo else f"-- {title}", flush=True)

    def say(self, text=""):
        if self.demo:
            print(f"  {text}", flush=True)

    def check(self, ok, what, why=""):
        if ok:
            print(f"{GREEN}PASS{RESET} {what}", flush=True)
        else:
            self.failures += 1
            print(f"{RED}FAIL{RESET} {what}: {why}", flush=True)
        return ok


def challenge_params(header):
    return dict(part.strip().split("=", 1) for part in (header or "").replace("Bearer ", "", 1).split(",") if "=" in part)


def token_for(stack, resource, scope="mcp:tools"):
    """A client-credentials token from nanoidp for `resource` (RFC 8707: it becomes `aud`)."""
    response = requests.post(f"{stack.issuer}/token", timeout=10, auth=("robot", "robot-secret"), data={
        "grant_type": "client_credentials", "scope": scope, "resource": resource})
    if not response.ok:
        raise RuntimeError(f"nanoidp refused a client-credentials token: {response.status_code} {response.text[:200]}")
    return response.json()["access_token"]


class RawSession:
    """A bare Streamable HTTP session with a bearer token: initialize once, then tools/call."""

    def __init__(self, stack, token):
        self.stack, self.token, self.session = stack, token, None

    def post(self, body):
        headers = {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json", "Accept": "application/json, text/event-stream",
                   "MCP-Protocol-Version": "2025-11-25"}
        if self.session:
            headers["Mcp-Session-Id"] = self.session
        return requests.post(self.stack.url, json=body, headers=headers, timeout=10)

    def call(self, tool="get_forecast", arguments=None):
        if self.session is None:
            response = self.post({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
                "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "e2e-robot", "version": "1"}}})
            if response.status_code != 200:
                return response
            self.session = response.headers.get("mcp-session-id")
            self.post({"jsonrpc": "2.0", "method": "notifications/initialized"})
        return self.post({"jsonrpc": "2.0", "id": 9, "method": "tools/call", "params": {"name": tool, "arguments": arguments or {"city": "Lyon"}}})


def call_tool(stack, token, tool="get_forecast", arguments=None):
    """One tools/call in a fresh session with a bearer token."""
    return RawSession(stack, token).call(tool, arguments)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--demo", action="store_true", help="narrate for a person instead of PASS/FAIL only")
    parser.add_argument("--break-proxy", choices=sorted(BREAKAGES), help="run the proxy's pods from a Deployment broken on purpose "
                        "(as if the renderer had got it wrong): the run must fail")
    args = parser.parse_args()
    report = Report(args.demo)
    breakage = BREAKAGES.get(args.break_proxy)
    try:
        with Stack(mutate=breakage and proxy_only(breakage), rollout_timeout=30 if breakage else 90) as stack:
            run(stack, report)
            if args.demo:
                report.step("Where to look next")
                report.say(f"logs of every process: {stack.dir}")
                report.say("docs/operator.md (status, revocation), docs/authorization.md (the OAuth rules), docs/governance.md")
    except Exception as error:  # a broken stack is a failure too, never a traceback-only exit
        report.check(False, "the run completed", describe(error))
    print(f"\n{report.failures} failure(s)" if report.failures else "\nall steps passed")
    return 1 if report.failures else 0


def run(stack, report):
    # 0. The install: kubectl apply -k, the operator's pods from its image.
    report.step("0. kubectl apply -k manifests/ (images set by kustomize): the operator runs from its image")
    operator = stack.install_operator()
    pods = stack.kubelet.pods_of(OPERATOR_NAMESPACE, "mcp-runtime-operator")
    report.say(f"images loaded from .build/images: {', '.join(stack.images)}")
    report.check(len(pods) == operator["spec"]["replicas"] and all(p.ready for p in pods),
                 f"{len(pods)} operator pods ready (readiness probe /readyz answered)", [stack.kubelet.failures])
    report.check(all(process_view(p, "operator")["uid"] == "65532" and process_view(p, "operator")["root"] == "ro" for p in pods),
                 "the operator runs as uid 65532 with a read-only root",
                 [process_view(p, "operator") for p in pods])

    # 1. kubectl apply: the server and its grants.
    report.step("1. kubectl apply an MCPServer in oauth mode with a path-based URI, its issuer's CA, plus grants")
    text = manifest(stack.proxy_port, stack.issuer, stack.ca.pem)
    report.say("$ kubectl apply -f weather.yaml")
    for line in text.split("kind: MCPServer", 1)[1].splitlines()[:18]:
        report.say(f"{DIM}{line}{RESET}")
    report.say(f"{DIM}  ... the Secret issuer-ca and two MCPAccessGrants (testuser: read+write, robot: read){RESET}")
    stack.kubectl("apply", "-f", "-", stdin=text)
    config = wait_until(lambda: (c := stack.rendered_config()) and len(c["grants"]) == 2 and c, what="the rendered ConfigMap")
    status = wait_until(lambda: stack.server_status().get("configRevision") == config["revision"] and stack.server_status(), what="the server status")
    report.check(status.get("url") == f"http://127.0.0.1:{stack.proxy_port}/{SERVER}/mcp", "status.url is the canonical resource URI", status.get("url"))
    report.check(config["auth"]["oauth"]["audience"] == status.get("url"), "the rendered config binds tokens to that URI", config["auth"]["oauth"].get("audience"))
    for deployment in (f"{SERVER}-server", f"{SERVER}-proxy"):
        stack.kubelet.wait_rolled_out(NAMESPACE, deployment, stack.rollout_timeout)
    status = wait_until(lambda: (s := stack.server_status()).get("phase") == "Ready" and s, what="phase Ready")
    report.check(status["phase"] == "Ready", "the operator reports the server Ready once its Deployments' pods are ready")
    if report.demo:
        report.say("objects the operator created (each owned by the MCPServer):")
        for line in stack.kubectl("get", "deploy,svc,cm,sa,role,rolebinding,networkpolicy,ingress", "-n", NAMESPACE, "-o", "name").split():
            report.say(f"  {line}")
        report.say("$ kubectl get mcps -A")
        for line in stack.kubectl("get", "mcps", "-A").splitlines():
            report.say(f"  {line}")

    # 2. The proxy's pods, from the image, as the Deployment says.
    report.step("2. mcp-proxy runs from its image exactly as the rendered Deployment says")
    pods = stack.proxy_pods()
    report.say(f"proxy: {stack.url}  ->  pod {pods[0].name} at {pods[0].ip}  ->  weather-server.{NAMESPACE}.svc (the SDK server)")
    ready = requests.get(f"http://{pods[0].ip}:{pods[0].ports['admin']}/readyz", timeout=5)
    report.check(ready.status_code == 200 and config["revision"] in ready.text,
                 "mcp-proxy is ready with the rendered config's revision", ready.text)
    view = process_view(pods[0], "mcp-proxy")
    report.check(view["uid"] == "65532" and view["root"] == "ro" and view["capabilities"] == "0000000000000000",
                 "it runs as uid 65532, read-only root, no capabilities", view)

    # 3. The official client through the full OAuth flow.
    report.step("3. The official MCP Python SDK client through the OAuth flow, unaided")
    storage, exchange = oauth_client.MemoryStorage(), oauth_client.Exchange()
    login = oauth_client.HeadlessLogin(exchange=exchange)
    auth = oauth_client.provider(stack.url, storage, login)
    info, tools, results, _ = asyncio.run(oauth_client.session_calls(stack.url, auth, exchange, [("get_forecast", {"city": "Lyon"})]))
    narrate_exchange(report, exchange.items, stack)
    first = exchange.items[0] if exchange.items else {}
    report.check(first.get("status") == 401 and "resource_metadata=" in (first.get("challenge") or ""), "401 with resource_metadata", first)
    urls = [urllib.parse.urlsplit(item["url"]).path for item in exchange.items]
    report.check(f"/.well-known/oauth-protected-resource/{SERVER}/mcp" in urls, "the client fetched the Protected Resource Metadata", urls)
    report.check(any(u.startswith("/.well-known/oauth-authorization-server") or u.startswith("/.well-known/openid-configuration") for u in urls), "it discovered the authorization server", urls)
    report.check("/register" in urls, "it registered dynamically (RFC 7591)", urls)
    order = [next((i for i, u in enumerate(urls) if u.endswith(suffix)), -1) for suffix in
             (f"/oauth-protected-resource/{SERVER}/mcp", "/oauth-authorization-server", "/register", "/authorize", "/token")]
    report.check(order == sorted(order) and -1 not in order, "in the spec's order: PRM, AS metadata, registration, authorization, token", order)
    token_request = next((item for item in exchange.items if item.get("grant") == "authorization_code"), {})
    report.check(token_request.get("resource") == stack.url, "the token request names the resource (RFC 8707)", token_request.get("resource"))
    authorization = login.authorizations[0] if login.authorizations else {}
    report.check(authorization.get("code_challenge_method") == "S256" and authorization.get("resource") == stack.url, "PKCE S256 and resource= the canonical URI", authorization)
    report.check("sunny" in results[0].content[0].text, "initialize, tools/list and tools/call answered", results)
    report.check(tools == ["get_forecast"], "tools/list shows only what this token may call (set_alert needs weather:write)", tools)

    # 4. Step-up to the write scope.
    report.step("4. Step-up: the write tool needs weather:write, which the first token lacks")
    # nanoidp holds a dynamically registered client to the scopes it registered with (the
    # SDK registers with the first challenge's scope), so the step-up runs with a client an
    # administrator pre-registered; the SDK does the whole flow again, then steps up itself.
    report.say("a pre-registered client (weather-app) this time; the SDK starts from the 401 again")
    step = oauth_client.Exchange()
    login = oauth_client.HeadlessLogin(exchange=step)
    auth = oauth_client.provider(stack.url, oauth_client.pre_registered("weather-app", "weather-app-secret", stack.issuer), login)
    _, before, results, after = asyncio.run(oauth_client.session_calls(stack.url, auth, step, [("get_forecast", {"city": "Lyon"}), ("set_alert", {"city": "Lyon", "level": "orange"})]))
    narrate_exchange(report, step.items, stack)
    refused = next((item for item in step.items if item["status"] == 403), {})
    params = challenge_params(refused.get("challenge"))
    report.check(params.get("error") == '"insufficient_scope"' and "weather:write" in params.get("scope", ""), "403 insufficient_scope naming the scope", refused)
    report.check(len(login.authorizations) == 2 and "weather:write" in login.authorizations[-1].get("scope", ""), "the client re-authorized with the wider scope", login.authorizations)
    report.check("scope" in login.authorizations[0] and "weather:write" not in login.authorizations[0]["scope"], "the first token was asked without the write scope", login.authorizations[:1])
    report.check(not results[1].is_error and "orange alert" in results[1].content[0].text, "the write call then succeeded", results)
    report.check(before == ["get_forecast"] and after == ["get_forecast", "set_alert"], "tools/list shows set_alert once the token has weather:write", (before, after))

    # 5. A token for another resource.
    report.step("5. A token issued for another server's resource")
    seen = len(stack.upstream_headers())
    response = call_tool(stack, token_for(stack, "http://127.0.0.1:9/other/mcp"))
    report.say(f"POST {stack.url} (aud=http://127.0.0.1:9/other/mcp) -> {response.status_code} {response.headers.get('www-authenticate', '')}")
    report.check(response.status_code == 401 and 'error="invalid_token"' in response.headers.get("www-authenticate", ""), "401 invalid_token", response.status_code)
    report.check(len(stack.upstream_headers()) == seen, "the MCP server never saw that request")

    # 6. Revocation through the API.
    report.step("6. kubectl patch the robot's grant to disabled: true")
    robot = RawSession(stack, token_for(stack, stack.url))
    allowed = robot.call()
    report.check(allowed.status_code == 200 and "sunny" in allowed.text, "the robot's read call is allowed first", allowed.status_code)
    started = time.monotonic()
    stack.kubectl("patch", "mcpaccessgrant", "robot-weather", "-n", NAMESPACE, "--type=merge", "-p", json.dumps({"spec": {"disabled": True}}))
    denied = wait_until(lambda: [r for r in [robot.call()] if r.status_code == 403], timeout=10, what="the denial")[0]
    latency = time.monotonic() - started
    reason = denied.json().get("error", {}).get("data", {}).get("reason")
    report.say(f"tools/call -> 403 {reason}, {latency * 1000:.0f} ms after kubectl patch was started (target: 2 s)")
    report.check(reason == "grant_revoked", "the proxy denies with the governance reason", reason)
    print(f"revocation latency: {latency * 1000:.0f} ms (kubectl patch to the first denied call; target 2000 ms)", flush=True)

    # 7. Signing key rotation at the authorization server.
    report.step("7. Rotate nanoidp's signing key: new tokens work without a restart")
    rotated = requests.post(f"{stack.issuer}/api/keys/rotate", timeout=10).json()
    stack.kubectl("patch", "mcpaccessgrant", "robot-weather", "-n", NAMESPACE, "--type=merge", "-p", json.dumps({"spec": {"disabled": False}}))
    fresh = token_for(stack, stack.url)
    header = json.loads(__import__("base64").urlsafe_b64decode(fresh.split(".")[0] + "=="))
    report.say(f"new kid {rotated.get('new_kid')}; the proxy fetches the JWKS again for an unknown kid")
    response = wait_until(lambda: [r for r in [call_tool(stack, fresh)] if r.status_code == 200], timeout=20, what="a new-key token accepted")[0]
    report.check(header.get("kid") == rotated.get("new_kid") and response.status_code == 200, "a token signed with the new key is accepted", header)

    # 8. No client token upstream, ever.
    report.step("8. The MCP server never received a client token")
    headers = stack.upstream_headers()
    leaked = [h for h in headers if "authorization" in h["headers"] or any("Bearer" in v for v in h["headers"].values())]
    report.say(f"{len(headers)} requests reached the MCP server; with an Authorization header: {len(leaked)}")
    report.check(headers and not leaked, "no request upstream carried a credential", leaked[:1])

    # 9. The liveness probes the Deployments declare answered all along.
    report.step("9. Every pod's liveness probe answered, none failed, no container restarted")
    pods = stack.kubelet.pods_of(OPERATOR_NAMESPACE, "mcp-runtime-operator") + stack.proxy_pods()
    probes = [(pod.name, probe) for pod in pods for _, probe in pod.probes if probe.kind == "liveness"]
    report.check(len(probes) == len(pods) and all(p.answered and not p.failures for _, p in probes) and not any(pod.restarts for pod in pods),
                 f"{len(probes)} liveness probes answered ({sum(p.answered for _, p in probes)} times)",
                 [(name, p.answered, p.failures, p.last) for name, p in probes])


def wrong_config_argument(container):
    container["args"] = [a.replace("/config.json", "/proxy.json") for a in container["args"]]


def wrong_mount_path(container):
    for mount in container["volumeMounts"]:
        if mount["name"] == "config":
            mount["mountPath"] = "/etc/mcp-proxy-config"


def wrong_probe_path(container):
    container["readinessProbe"]["httpGet"]["path"] = "/ready"


# What a renderer bug could do to the proxy's Deployment; tested by Tests/integration/test_e2e_breakage.py.
BREAKAGES = {"args": wrong_config_argument, "mount": wrong_mount_path, "probe": wrong_probe_path}


def proxy_only(breakage):
    def mutate(key, template):
        if key == (NAMESPACE, f"{SERVER}-proxy"):
            breakage(next(c for c in template["spec"]["containers"] if c["name"] == "mcp-proxy"))
        return template
    return mutate


def process_view(pod, container):
    """How the kernel sees a container's main process: uid, root mount, effective capabilities."""
    pid = subprocess.run(["podman", "inspect", "--format", "{{.State.Pid}}", pod.containers[container]],
                         capture_output=True, text=True, check=True).stdout.strip()
    status = dict(line.split(":\t", 1) for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines() if ":\t" in line)
    root = next(line.split()[5].split(",")[0] for line in pathlib.Path(f"/proc/{pid}/mountinfo").read_text().splitlines() if line.split()[4] == "/")
    return {"uid": status["Uid"].split()[1], "root": root, "capabilities": status["CapEff"].strip()}


def describe(error):
    """The innermost errors of an exception group (anyio task groups wrap them)."""
    if isinstance(error, BaseExceptionGroup):
        return "; ".join(describe(inner) for inner in error.exceptions)
    return f"{type(error).__name__}: {error}"


def narrate_exchange(report, items, stack):
    for item in items:
        url = item["url"].replace(stack.issuer, "<idp>").replace(f"http://127.0.0.1:{stack.proxy_port}", "<proxy>")
        line = f"{item['method']:<6} {url[:110]} -> {item['status']}"
        if item["challenge"]:
            line += f"\n           WWW-Authenticate: {item['challenge']}"
        report.say(line)


if __name__ == "__main__":
    sys.exit(main())
