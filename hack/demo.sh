#!/usr/bin/env bash
# The README's main command: brings the whole system up (the operator and the proxy from
# their images, docs/e2e.md) and narrates it — kubectl apply, what the operator renders and reports, the
# official MCP client's OAuth flow through mcp-proxy (401, discovery, registration, PKCE,
# token, calls), a step-up, a token for another server, a revocation through the API and
# a key rotation — then shows how bad input is caught. Stops everything it started when
# done or on Ctrl-C. The same run, as PASS/FAIL checks, is hack/e2e.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

bold() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

hack/install-deps.sh --images
bold "Building mcp-runtime and mcp-proxy and their images (the first build takes about 12 minutes)"
swift build --product mcp-runtime 2>&1 | grep -E "error|Build complete" || true
hack/image.sh | grep -E "^ghcr.io|error" || true
export CONTAINERS_CONF=${CONTAINERS_CONF:-$PWD/hack/image/containers.conf}

.build-venv/bin/python -W ignore::DeprecationWarning hack/e2e/run.py --demo

bin=.build/debug/mcp-runtime
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT INT TERM
bold "Bad input is caught before anything is applied: a typo and a forbidden algorithm"
cat >"$scratch/typo.yaml" <<'YAML'
apiVersion: mcpruntime.org/v1alpha1
kind: MCPServer
metadata: {name: weather}
spec:
  image: ghcr.io/acme/weather-mcp:3.1.0
  ingressHost: mcp.example.com
  auth:
    mode: oauth
    issuerUrl: https://auth.example.com
    allowedAlgorithms: [HS256]
YAML
sed 's/^/  /' "$scratch/typo.yaml"
printf '\n$ %s\n' "mcp-runtime render -f typo.yaml"
"$bin" render -f "$scratch/typo.yaml" 2>&1 | sed "s|$scratch/||" || true

bold "Next"
cat <<'TXT'
  Install on a cluster:           README "Install on a cluster" (images: docs/images.md)
  Render your own manifests:      .build/debug/mcp-runtime render -f DIR_OR_FILE [--proxy-config NAME]
  The whole test suite:           hack/test.sh
  How it is built:                docs/design.md; every field: docs/configuration.md, docs/proxy-config.md
TXT
