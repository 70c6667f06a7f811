#!/usr/bin/env bash
# End to end, with real peers only (installed and pinned by hack/install-deps.sh): kubectl
# installs the operator (kubectl apply -k) and applies an MCPServer to a Kubernetes API
# emulator (kmock); the operator's and the proxy's pods run from the images hack/image.sh
# built, as the Deployments read back from the API say; the official MCP SDK's client goes
# through the OAuth flow against nanoidp. docs/e2e.md. Prints PASS/FAIL per step; exits
# non-zero on any failure; stops everything it started. Arguments go to hack/e2e/run.py
# (--break-proxy args|mount|probe runs a broken Deployment, which must fail).
set -euo pipefail
cd "$(dirname "$0")/.."

hack/install-deps.sh --images
export CONTAINERS_CONF=${CONTAINERS_CONF:-$PWD/hack/image/containers.conf}
# The images of this checkout (incremental: a rebuild only of what changed).
hack/image.sh >/dev/null
exec .build-venv/bin/python -W ignore::DeprecationWarning hack/e2e/run.py "$@"
