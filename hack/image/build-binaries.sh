#!/usr/bin/env bash
# Builds the release binaries the images hold, into OUT_DIR: mcp-runtime and mcp-proxy,
# with the Swift runtime and Foundation linked in statically (so the runtime image needs
# only glibc, libstdc++ and libcurl's libraries from Debian) and symbols stripped.
# Used by Containerfile's build stage and by hack/image.sh, so both build the same way.
# usage: hack/image/build-binaries.sh OUT_DIR [extra swift build flags]
set -euo pipefail
out=${1:?usage: build-binaries.sh OUT_DIR}
shift
mkdir -p "$out"
flags=(-c release --static-swift-stdlib -Xlinker -s "$@")
for product in mcp-runtime mcp-proxy; do
  swift build "${flags[@]}" --product "$product"
done
bin=$(swift build "${flags[@]}" --show-bin-path)
install -m 0755 "$bin/mcp-runtime" "$bin/mcp-proxy" "$out/"
