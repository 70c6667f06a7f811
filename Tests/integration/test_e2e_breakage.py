"""The end-to-end run runs the rendered Deployments themselves: a proxy Deployment with a
wrong argument, volume mount or readiness probe (hack/e2e/run.py --break-proxy, as if the
renderer had got it wrong) makes the run fail, naming why. Needs the images hack/image.sh
builds (hack/test.sh builds them first)."""
import os
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("breakage, reason", [
    # The config file named by --config does not exist...
    ("args", "container mcp-proxy exited with code 1: mcp-proxy: /etc/mcp-proxy/proxy.json: cannot read the file"),
    # ...the ConfigMap is mounted elsewhere than --config says...
    ("mount", "container mcp-proxy exited with code 1: mcp-proxy: /etc/mcp-proxy/config.json: cannot read the file"),
    # ...the proxy answers /readyz, not /ready.
    ("probe", ":9090/ready -> 404"),
])
def test_a_broken_proxy_deployment_fails_the_run(breakage, reason):
    environment = {**os.environ, "CONTAINERS_CONF": os.environ.get("CONTAINERS_CONF", str(ROOT / "hack" / "image" / "containers.conf"))}
    result = subprocess.run([sys.executable, "-W", "ignore::DeprecationWarning", str(ROOT / "hack" / "e2e" / "run.py"), "--break-proxy", breakage],
                            capture_output=True, text=True, timeout=300, env=environment)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    # The install itself passed: the failure is the broken Deployment's.
    assert "PASS" in output and "operator pods ready" in output, output
    failure = next(line for line in output.splitlines() if "FAIL" in line)
    assert "Deployment team-a/weather-proxy not rolled out" in failure and reason in failure, failure
