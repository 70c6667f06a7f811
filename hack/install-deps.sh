#!/usr/bin/env bash
# Installs what building and testing need on a fresh Debian machine: system packages
# (with apt-get, as root or through sudo) and the pinned Python tools in .build-venv/.
# --bench adds what hack/bench.sh needs (wrk, nginx-light); --images what hack/image.sh and
# the end-to-end run need (Podman with runc, mmdebstrap: docs/images.md).
# Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
need() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed" || missing+=("$1")
}
need libcurl4-openssl-dev
# hack/bench.sh also needs the load generator and the reverse proxy it compares with.
if [ "${1:-}" = "--bench" ]; then
  command -v wrk >/dev/null 2>&1 || need wrk
  command -v nginx >/dev/null 2>&1 || need nginx-light
fi
if [ "${1:-}" = "--images" ]; then
  for package in podman runc catatonit mmdebstrap; do need "$package"; done
fi
need pkg-config
command -v openssl >/dev/null 2>&1 || need openssl
command -v kubectl >/dev/null 2>&1 || need kubectl
python3 -c "import ensurepip, venv" >/dev/null 2>&1 || need python3-venv
if ((${#missing[@]})); then
  sudo=""
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null 2>&1 || { echo "install-deps: need root to install: ${missing[*]}" >&2; exit 1; }
    sudo=sudo
  fi
  echo "install-deps: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

command -v swift >/dev/null 2>&1 || { echo "install-deps: the Swift 6 toolchain must be on PATH (swift --version)" >&2; exit 1; }

venv=.build-venv
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
if ! cmp -s hack/requirements.txt "$venv/.requirements"; then
  "$venv/bin/pip" install -q --disable-pip-version-check -r hack/requirements.txt
  cp hack/requirements.txt "$venv/.requirements"
fi
