#!/usr/bin/env bash
# Builds both images offline, from this checkout and Debian's packages only (no registry,
# no Docker engine): the release binaries, a Debian bookworm system made by mmdebstrap to
# collect the runtime files from, then Containerfile's mcp-runtime and mcp-proxy targets
# with Podman. Leaves OCI archives that `kind load image-archive` and
# `k3s ctr images import` accept:
#   .build/images/mcp-runtime.tar   ghcr.io/mcp-runtime/mcp-runtime:VERSION
#   .build/images/mcp-proxy.tar     ghcr.io/mcp-runtime/mcp-proxy:VERSION
# and prints each image's size and the files of its runtime layer. docs/images.md.
# Environment: IMAGE_REPOSITORY (default ghcr.io/mcp-runtime), DEBIAN_MIRROR.
set -euo pipefail
cd "$(dirname "$0")/.."

hack/install-deps.sh --images
export CONTAINERS_CONF=${CONTAINERS_CONF:-$PWD/hack/image/containers.conf}
repository=${IMAGE_REPOSITORY:-ghcr.io/mcp-runtime}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
out=.build/images
cache=.build/image-cache
mkdir -p "$out" "$cache"

step() { printf '\n== %s\n' "$*"; }

step "release binaries (static Swift runtime)"
hack/image/build-binaries.sh "$out/bin" 2>&1 | grep -E "error|warning: .*Sources/|Build complete" || true
version=$("$out/bin/mcp-proxy" --version)
[ "$("$out/bin/mcp-runtime" --version)" = "$version" ] || { echo "image.sh: mcp-runtime and mcp-proxy report different versions" >&2; exit 1; }
echo "version $version"

# The Debian system the runtime files are collected from (Containerfile's DEBIAN_IMAGE).
# Made once per package set; `rm -rf .build/image-cache` makes it again.
packages=ca-certificates,libcurl4,libstdc++6
base_key="bookworm essential $packages $mirror"
if [ ! -f "$cache/debian.tar" ] || [ "$(cat "$cache/debian.key" 2>/dev/null)" != "$base_key" ]; then
  step "Debian bookworm from $mirror with $packages (mmdebstrap)"
  mmdebstrap --quiet --variant=essential --include="$packages" \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' bookworm "$cache/debian.tar" "$mirror" </dev/null
  echo "$base_key" >"$cache/debian.key"
fi
debian=localhost/mcp-runtime-build/debian:bookworm
podman import --quiet "$cache/debian.tar" "$debian" >/dev/null

# The binaries as an image (Containerfile's BINARIES), so the build stage is skipped.
binaries=localhost/mcp-runtime-build/binaries:$version
printf 'FROM scratch\nCOPY mcp-runtime mcp-proxy /out/\n' | podman build --quiet -f - -t "$binaries" "$out/bin" >/dev/null

revision=$(git rev-parse HEAD 2>/dev/null || echo unknown)
for target in mcp-runtime mcp-proxy; do
  image=$repository/$target:$version
  step "$image"
  podman build --quiet -f Containerfile --target "$target" \
    --build-arg BINARIES="$binaries" --build-arg DEBIAN_IMAGE="$debian" \
    --build-arg VERSION="$version" --build-arg REVISION="$revision" -t "$image" . >/dev/null
  # The image answers as a pod runs it: non-root, read-only root, no capabilities.
  answered=$(podman run --rm --read-only --cap-drop=all --security-opt=no-new-privileges "$image" --version)
  [ "$answered" = "$version" ] || { echo "image.sh: $image --version printed '$answered', not $version" >&2; exit 1; }
  user=$(podman image inspect --format '{{.Config.User}}' "$image")
  [ "$user" = "65532:65532" ] || { echo "image.sh: $image runs as '$user', not 65532:65532" >&2; exit 1; }
  rm -f "$out/$target.tar"
  podman save --quiet --format oci-archive -o "$out/$target.tar" "$image"
  size=$(podman image inspect --format '{{.Size}}' "$image")
  echo "$image: $((size / 1000000)) MB uncompressed, archive $(($(stat -c %s "$out/$target.tar") / 1000000)) MB, user $user"
done

step "files of the runtime layer (shared by both images)"
container=$(podman create "$repository/mcp-proxy:$version")
podman export "$container" | tar -tv | awk '{ printf "%10s  %s\n", $3, $6 }' | grep -v '/$' | sort -k2
podman rm --force "$container" >/dev/null
ls -l "$out"/*.tar
