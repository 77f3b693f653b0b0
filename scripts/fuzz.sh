#!/usr/bin/env bash
# Runs one libFuzzer target for a while (tests/fuzz/README.md):
#
#   scripts/fuzz.sh TARGET SECONDS [JOBS]
#
# TARGET: rnn, yaml (the compiler's two front ends), data (the program's
# data loaders and checkpoint reader) or weights (the kernels library's
# weight loader). Builds the instrumented target with clang into
# build-fuzz/ (installing clang's libFuzzer runtime if missing), fuzzes it
# for SECONDS with JOBS processes (default 1), growing the working corpus
# in build-fuzz/corpus/TARGET/ from the committed seeds, and prints the
# number of executions. A finding (crash, leak, sanitizer report, broken
# invariant) stops the run with exit 1 and leaves its input in
# build-fuzz/findings/; fix it, then copy the input into the target's
# committed corpus (tests/fuzz/corpus*/) so the replay tests keep it fixed.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:?usage: scripts/fuzz.sh rnn|yaml|data|weights SECONDS [JOBS]}
seconds=${2:?usage: scripts/fuzz.sh TARGET SECONDS [JOBS]}
jobs=${3:-1}
case $target in
rnn | yaml) seeds=(tests/fuzz/corpus specs tests/errors) dict=(-dict=tests/fuzz/rnn.dict) max_len=4096 ;;
data) seeds=(tests/fuzz/corpus_data) dict=() max_len=16384 ;;
weights) seeds=(tests/fuzz/corpus_weights) dict=() max_len=4096 ;;
*) echo "scripts/fuzz.sh: unknown target '$target' (rnn, yaml, data or weights)" >&2; exit 2 ;;
esac
case $seconds in
'' | *[!0-9]*) echo "scripts/fuzz.sh: SECONDS must be a whole number, not '$seconds'" >&2; exit 2 ;;
esac

if ! dpkg-query -W -f='${Status}' libclang-rt-14-dev 2>/dev/null | grep -q "ok installed"; then
  echo "fuzz.sh: installing libclang-rt-14-dev (libFuzzer)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    libclang-rt-14-dev >/dev/null
fi
BUILD_DIR=build-fuzz CC=clang scripts/build.sh -DCMAKE_C_COMPILER=clang -DRNNC_FUZZ=ON \
  -DRNNC_MPI=OFF >/dev/null
cmake --build build-fuzz -j "$(nproc)" --target "fuzz_$target" >/dev/null

corpus=build-fuzz/corpus/$target
findings=build-fuzz/findings
mkdir -p "$corpus" "$findings"
log=build-fuzz/fuzz_$target.log
rm -f build-fuzz/fuzz-*.log
# -jobs: each job writes fuzz-N.log in the current directory; run there
# (a separate process per job, all sharing the working corpus)
(
  cd build-fuzz
  ../build-fuzz/tests/fuzz/"fuzz_$target" "${dict[@]/#-dict=/-dict=../}" \
    -max_total_time="$seconds" -max_len="$max_len" -timeout=10 -rss_limit_mb=4096 \
    -print_final_stats=1 -artifact_prefix="findings/$target-" \
    $([ "$jobs" -gt 1 ] && echo "-jobs=$jobs -workers=$jobs") \
    "corpus/$target" "${seeds[@]/#/../}"
) >"$log" 2>&1 && rc=0 || rc=$?
execs=$(cat "$log" $(ls build-fuzz/fuzz-*.log 2>/dev/null) |
  awk '/stat::number_of_executed_units/ { n += $2 } END { print n + 0 }')
echo "fuzz_$target: $execs executions in ${seconds} s ($jobs job(s)); corpus $(ls "$corpus" | wc -l) inputs; log $log"
if [ "$rc" -ne 0 ] || ls "$findings"/"$target"-* >/dev/null 2>&1; then
  echo "fuzz_$target: FINDING (exit $rc): see $log and $findings/" >&2
  exit 1
fi
