#!/bin/sh
# Assembles the runtime root filesystem in ROOTFS from the Debian system it runs in: the
# shared objects BINARY... load (ldd's closure: glibc, libstdc++, libcurl and its
# libraries), the CA bundle, and passwd/group entries for the non-root user 65532.
# Nothing else: no shell, no package manager. Run by Containerfile's runtime-files stage
# (inside a Debian image with libcurl4 and ca-certificates installed).
# usage: collect-runtime.sh ROOTFS BINARY...
set -eu
rootfs=$1
shift
mkdir -p "$rootfs/etc/ssl/certs" "$rootfs/usr/local/bin"
for binary in "$@"; do
  # "libfoo.so.1 => /lib/x86_64-linux-gnu/libfoo.so.1 (0x...)" and the loader's own line.
  ldd "$binary" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'
done | sort -u | while read -r library; do
  mkdir -p "$rootfs$(dirname "$library")"
  cp -L "$library" "$rootfs$library"
done
missing=$(for binary in "$@"; do ldd "$binary"; done | grep "not found" || true)
[ -z "$missing" ] || { echo "collect-runtime: unresolved libraries: $missing" >&2; exit 1; }
# /lib64 and /lib are symlinks into /usr on Debian (merged /usr): keep the loader's path.
cp -L /etc/ssl/certs/ca-certificates.crt "$rootfs/etc/ssl/certs/ca-certificates.crt"
printf 'root:x:0:0:root:/:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/:/sbin/nologin\n' >"$rootfs/etc/passwd"
printf 'root:x:0:\nnonroot:x:65532:\n' >"$rootfs/etc/group"
printf 'hosts: files dns\n' >"$rootfs/etc/nsswitch.conf"
