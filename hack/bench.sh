#!/usr/bin/env bash
# Benchmarks, all measured in one run on this machine and printed as one table (also
# written to .build/bench.md): proxy throughput and latency next to direct, nginx and the
# MCP SDK's own auth; JWT verification next to `openssl speed`; the operator at 100 and
# 1,000 servers against the API emulator; proxy memory and SSE first-event latency;
# revocation-to-enforcement latency. Method and latest numbers: docs/performance.md.
# BENCH_ROUNDS (3), BENCH_SECONDS (5) and BENCH_SECTIONS (proxy,verification,operator,revocation)
# narrow a run.
set -euo pipefail
cd "$(dirname "$0")/.."

hack/install-deps.sh --bench
echo "bench: building release binaries (a clean build takes several minutes)"
swift build -c release --product mcp-runtime >/dev/null
swift build -c release --product mcp-proxy >/dev/null
swift build -c release --product mcp-bench >/dev/null
exec .build-venv/bin/python -W ignore::DeprecationWarning hack/bench/run.py
