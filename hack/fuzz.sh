#!/usr/bin/env bash
# Coverage-guided fuzzing (libFuzzer) of the parsers on mcp-proxy's request path (and the
# list filter on its answers), see
# docs/fuzzing.md.
#
#   hack/fuzz.sh TARGET SECONDS [LIBFUZZER-FLAG...]   one target for SECONDS
#   hack/fuzz.sh all SECONDS [LIBFUZZER-FLAG...]      each target in turn, SECONDS each
#   hack/fuzz.sh list                                 the targets
#
# Builds the targets with --sanitize fuzzer --sanitize address into .build-fuzz/ (only
# what they need), fuzzes a copy of the committed seed corpus (Tests/fuzz/corpus/TARGET,
# never written to) with the target's dictionary, and prints libFuzzer's summary. A crash
# or invariant violation exits non-zero and leaves the input in
# .build-fuzz/crashes/TARGET/; the run's log and grown corpus stay in .build-fuzz/runs/TARGET/.
set -euo pipefail
cd "$(dirname "$0")/.."

targets=(jsonrpc credentials headers challenge jwsheader proxyconfig answers)
product() {
  case $1 in
    jsonrpc) echo FuzzJSONRPC ;;
    credentials) echo FuzzCredentials ;;
    headers) echo FuzzHeaders ;;
    challenge) echo FuzzChallenge ;;
    jwsheader) echo FuzzJWSHeader ;;
    proxyconfig) echo FuzzProxyConfig ;;
    answers) echo FuzzAnswers ;;
    *) return 1 ;;
  esac
}
usage() {
  echo "usage: hack/fuzz.sh TARGET|all SECONDS [LIBFUZZER-FLAG...]   (targets: ${targets[*]})" >&2
  exit 2
}

if [ "${1:-}" = list ]; then
  printf '%s\n' "${targets[@]}"
  exit 0
fi
[ $# -ge 2 ] || usage
what=$1
seconds=$2
shift 2
[[ $seconds =~ ^[0-9]+$ ]] && [ "$seconds" -gt 0 ] || usage
if [ "$what" = all ]; then
  selected=("${targets[@]}")
else
  product "$what" >/dev/null || usage
  selected=("$what")
fi

scratch=.build-fuzz
# --sanitize makes SwiftPM link libFuzzer's main (and not the target's) and instruments C;
# swiftc keeps only the last -sanitize= it is given, hence both once more, together.
build() {
  swift build --scratch-path "$scratch" --sanitize fuzzer --sanitize address -Xswiftc -sanitize=fuzzer,address \
    -Xswiftc -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION --product "$1" 2>&1 |
    grep -v "Cannot export local symbol" | grep -E "error|warning: .*Fuzz|Build of product" || true
  [ -x "$scratch/debug/$1" ] || { echo "fuzz: building $1 failed" >&2; exit 1; }
}
for target in "${selected[@]}"; do
  build "$(product "$target")"
done

# Swift's runtime keeps metadata caches for the process's life: not leaks of an input.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}
# libFuzzer and ASan report a crash with its stack; Swift's own backtracer would run
# inside the crashed process beside them (and trips ASan).
export SWIFT_BACKTRACE=${SWIFT_BACKTRACE:-enable=no}
failed=()
for target in "${selected[@]}"; do
  binary=$scratch/debug/$(product "$target")
  run=$scratch/runs/$target
  crashes=$scratch/crashes/$target
  rm -rf "$run"
  mkdir -p "$run/corpus" "$crashes"
  cp Tests/fuzz/corpus/"$target"/* "$run/corpus/"
  seeds=$(find "$run/corpus" -type f | wc -l)
  echo "fuzz: $target for ${seconds}s over $seeds seeds ($binary)"
  status=0
  "$binary" "$run/corpus" -dict=Tests/fuzz/dict/"$target".dict -max_total_time="$seconds" -max_len=16384 \
    -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$crashes/" "$@" >"$run/log" 2>&1 || status=$?
  # libFuzzer's last status line (#RUNS DONE cov: ... ft: ... corp: ...) and final stats.
  grep -E "^#[0-9]+[[:space:]]+(DONE|INITED)|^Done [0-9]+ runs|^stat::(number_of_executed_units|average_exec_per_sec|new_units_added|peak_rss_mb)" "$run/log" |
    sed 's/^/  /' || true
  corpus=$(find "$run/corpus" -type f | wc -l)
  if [ "$status" != 0 ]; then
    echo "fuzz: $target FAILED (exit $status): the input is in $crashes/, the log in $run/log:"
    grep -E "^(==[0-9]+==ERROR|SUMMARY|.*Fatal error|artifact_prefix|Test unit written to|Base64:)" "$run/log" | head -20 | sed 's/^/  /'
    echo "  replay it: $binary CRASH-FILE   (without sanitizers: swift build && .build/debug/$(product "$target") CRASH-FILE)"
    failed+=("$target")
  else
    echo "fuzz: $target ok (no crash); the grown corpus, $corpus files, is in $run/corpus (not committed)"
  fi
done
if ((${#failed[@]})); then
  echo "fuzz: failed: ${failed[*]}"
  exit 1
fi
