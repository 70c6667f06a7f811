#!/usr/bin/env bash
# End to end, with real peers only (installed and pinned by hack/install-deps.sh): kubectl
# applies an MCPServer to a Kubernetes API emulator (kmock), mcp-runtime operator renders
# it, mcp-proxy runs the rendered config in front of an MCP server built with the official
# MCP Python SDK, and the SDK's own client goes through the OAuth flow against nanoidp.
# Prints PASS/FAIL per step; exits non-zero on any failure; stops everything it started.
set -euo pipefail
cd "$(dirname "$0")/.."

hack/install-deps.sh
swift build --product mcp-runtime >/dev/null
swift build --product mcp-proxy >/dev/null
exec .build-venv/bin/python -W ignore::DeprecationWarning hack/e2e/run.py "$@"
