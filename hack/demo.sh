#!/usr/bin/env bash
# The README's main command: builds mcp-runtime and shows, on the samples in
# manifests/samples/, what the operator derives and would apply for each MCPServer.
set -euo pipefail
cd "$(dirname "$0")/.."

bold() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '\n$ %s\n' "$*"; "$@"; }

hack/install-deps.sh
bold "Building mcp-runtime (the first build takes a few minutes)"
swift build --product mcp-runtime 2>&1 | grep -E "error|warning: unre|Compiling mcp|Build complete" || true
bin=.build/debug/mcp-runtime
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT INT TERM

bold "1. An MCPServer in oauth mode, with a path-based public URI"
sed -n '/^apiVersion/,/^  auth:/p' manifests/samples/oauth-path-based.yaml | head -20
echo "  ... (full file: manifests/samples/oauth-path-based.yaml)"

bold "2. What the operator would apply for every sample"
printf '\n$ %s\n' "$bin render -f manifests/samples/"
"$bin" render -f manifests/samples/ >"$scratch/all.yaml"
grep '^# MCPServer' "$scratch/all.yaml" | sed 's/^# /  /'
echo "  ($(grep -c '^---' "$scratch/all.yaml") objects; the full YAML is what 'kubectl apply' would receive)"

bold "3. The proxy configuration rendered for team-a/weather"
"$bin" render -f manifests/samples/ --proxy-config team-a/weather >"$scratch/weather.json"
.build-venv/bin/python - "$scratch/weather.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
o = c["auth"]["oauth"]
print(f"  canonical resource URI : {c['resource']['uri']}")
print(f"  served on path         : {c['resource']['path']}  -> upstream {c['upstream']['url']}")
print(f"  PRM (RFC 9728)         : {c['resource']['metadataURL']}")
print(f"  tokens must carry      : iss={o['issuer']}  aud contains {o['audience']}")
print(f"  algorithms             : {', '.join(o['allowedAlgorithms'])} (never HS*/none)")
print(f"  required scopes        : {' '.join(o['requiredScopes'])}; per tool: " +
      ", ".join(f"{t['name']}={' '.join(t['requiredScopes']) or '-'}" for t in c["tools"]))
print(f"  upstream credential    : {c['upstream']['auth']['mode']} (the client's token is never forwarded)")
for g in c["grants"]:
    print(f"  grant {g['name']:<16} subject={g['subject']} maxTrust={g.get('maxTrust')} sideEffects={g['allowedSideEffects']}")
for s in c["sessions"]:
    print(f"  session {s['name']:<14} consentedTrust={s.get('consentedTrust')} expiresAt={s.get('expiresAt')} revoked={s['revoked']}")
print(f"  revision               : {c['revision']}")
PY

bold "4. Fail closed: oauth with no resource URI to bind tokens to"
cat >"$scratch/no-host.yaml" <<'YAML'
apiVersion: mcpruntime.org/v1alpha1
kind: MCPServer
metadata: {name: orphan, namespace: team-b}
spec:
  image: ghcr.io/acme/orphan-mcp:1.0.0
  auth: {mode: oauth, issuerURL: https://auth.example.com}
YAML
printf '\n$ %s\n' "$bin render -f no-host.yaml"
"$bin" render -f "$scratch/no-host.yaml" 2>&1 | sed "s|$scratch/||" || true
echo "  (in a cluster the operator still renders this server's proxy, which answers every request 503)"

bold "5. A typo and a forbidden algorithm, caught before anything is applied"
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
printf '\n$ %s\n' "$bin render -f typo.yaml"
"$bin" render -f "$scratch/typo.yaml" 2>&1 | sed "s|$scratch/||" || true

bold "Next"
cat <<'TXT'
  Your own manifests:   .build/debug/mcp-runtime render -f DIR_OR_FILE [--proxy-config NAME]
  The CRDs:             kubectl apply -k crds/
  How it is built:      docs/design.md
  Every field:          docs/configuration.md and docs/proxy-config.md
  Not yet shipped: the in-cluster operator (mcp-runtime operator) and mcp-proxy; see README.md.
TXT
