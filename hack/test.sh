#!/usr/bin/env bash
# The whole test suite: Swift unit tests, short fuzzing runs, the CRDs' CEL rules under a
# real CEL implementation, mcp-proxy against real authorization servers, the operator
# against a Kubernetes API emulator, the mcp-runtime binary as a user runs it, and the
# kustomization.
set -euo pipefail
cd "$(dirname "$0")/.."

hack/install-deps.sh
swift build
swift test
# Each parser on mcp-proxy's request path fuzzed for a short while over its seed corpus
# (hack/fuzz.sh, docs/fuzzing.md): a sanitizer build in .build-fuzz/, then FUZZ_SECONDS each.
hack/fuzz.sh all "${FUZZ_SECONDS:-20}"

.build-venv/bin/python -m pytest -q Tests/crd-cel
# Both images, as OCI archives in .build/images/ (docs/images.md): the end-to-end run and
# its breakage tests run every operator and proxy pod from them.
hack/image.sh
# mcp-proxy against real authorization servers (nanoidp, Canaille) and a recording upstream;
# mcp-runtime operator (and mcp-proxy following its ConfigMap) against kmock; the
# end-to-end run failing on a broken proxy Deployment.
.build-venv/bin/python -m pytest -q -W ignore::DeprecationWarning Tests/integration

# The whole system end to end (kubectl -> operator -> proxy -> the official MCP client),
# every pod from the images.
hack/e2e.sh

passed=0
failed=0
check() {
  local name=$1
  shift
  if "$@" >/tmp/mcp-runtime-check.log 2>&1; then
    echo "PASS $name"
    passed=$((passed + 1))
  else
    echo "FAIL $name"
    sed 's/^/  /' /tmp/mcp-runtime-check.log
    failed=$((failed + 1))
  fi
}
bin=.build/debug/mcp-runtime
check "render -f manifests/samples/ exits 0" "$bin" render -f manifests/samples/
check "render --proxy-config prints JSON" bash -c "'$bin' render -f manifests/samples/ --proxy-config team-a/weather | .build-venv/bin/python -m json.tool"
check "invalid input exits 1 with a located message" bash -c "
  printf 'apiVersion: mcpruntime.org/v1alpha1\nkind: MCPServer\nmetadata: {name: w}\nspec: {image: a, auth: {mode: oauth}}\n' >/tmp/mcp-runtime-bad.yaml
  ! '$bin' render -f /tmp/mcp-runtime-bad.yaml 2>/tmp/mcp-runtime-bad.err &&
  grep -q 'document 1, line 4 (MCPServer default/w): spec.auth.issuerURL' /tmp/mcp-runtime-bad.err"
check "render --help documents the flags" bash -c "'$bin' render --help | grep -q -- '--proxy-config'"
check "operator --help documents the flags" bash -c "'$bin' operator --help | grep -q -- '--leader-elect'"
check "kubectl kustomize manifests/ renders" kubectl kustomize manifests/
check "the README's own-registry overlay sets the operator's and the proxies' images" bash -c "
  kubectl kustomize docs/examples/own-registry >/tmp/mcp-runtime-overlay.yaml &&
  grep -q 'image: registry.example.com/platform/mcp-runtime:0.1.0' /tmp/mcp-runtime-overlay.yaml &&
  grep -q -- '- registry.example.com/platform/mcp-proxy:0.1.0' /tmp/mcp-runtime-overlay.yaml"
echo "hack/test.sh checks: $passed passed, $failed failed"
[ "$failed" = 0 ]
