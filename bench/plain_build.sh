#!/usr/bin/env bash
# The same model built two ways, timed side by side: the project's CMake
# build (build/bench/cN) and the documented one-line build with plain
# `cc -O2` (docs/program.md). The hot kernels set their own optimization
# in the source (runtime/kernels/rnn_hot.h), so both should train and run
# at the same speed; this measures it.
#
#   bench/plain_build.sh [--configs C1,C3] [--passes N] [--steps N] [--threads N]
#
# Interleaved: each pass runs the CMake program, then the plain one, per
# config. Prints each run's training and inference medians, then per
# config the median over the passes and the ratio plain / CMake (1.00:
# the same speed). CC (default cc) compiles the plain build; BUILD_DIR as
# for scripts/build.sh (default build), which must hold build/bench/cN.
set -euo pipefail
cd "$(dirname "$0")/.."

configs=C1,C3
passes=3
steps=20
threads=1
while [ $# -gt 0 ]; do
  case $1 in
    --configs) configs=${2:?--configs needs a list}; shift ;;
    --passes) passes=${2:?--passes needs a number}; shift ;;
    --steps) steps=${2:?--steps needs a number}; shift ;;
    --threads) threads=${2:?--threads needs a number}; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench/plain_build.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
  esac
  shift
done
build=${BUILD_DIR:-build}
gen=$build/bench/generated
out=$build/bench/plain
mkdir -p "$out"

# the documented command (docs/program.md), plus -fopenmp for --threads > 1
for config in ${configs//,/ }; do
  c=${config,,}
  [ -x "$build/bench/$c" ] || { echo "bench/plain_build.sh: $build/bench/$c is missing: run scripts/build.sh" >&2; exit 1; }
  echo "== cc -O2: $c"
  ${CC:-cc} -std=c11 -D_POSIX_C_SOURCE=200809L -O2 -fopenmp -I"$gen" -Iruntime/kernels \
    -Iruntime/program "$gen/$c.c" "$gen/${c}_main.c" runtime/kernels/*.c runtime/program/*.c \
    -lopenblas -lyaml -lz -lm -o "$out/$c"
done

# one line per run: config build train_ms infer_ms
results=$out/runs.txt
: >"$results"
for pass in $(seq "$passes"); do
  for config in ${configs//,/ }; do
    c=${config,,}
    for kind in cmake plain; do
      exe=$build/bench/$c
      [ "$kind" = plain ] && exe=$out/$c
      line=$("$exe" bench --threads "$threads" --steps "$steps" --sample-reps 0)
      train=$(awk '$1 == "train" {print $2}' <<<"$line")
      infer=$(awk '$1 == "infer" {print $2}' <<<"$line")
      echo "$config $kind $train $infer" | tee -a "$results"
    done
  done
done

echo
echo "medians over $passes passes, $threads thread(s), ms (plain / cmake: 1.00 is the same speed)"
python3 - "$results" <<'PY'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    config, kind, train, infer = line.split()
    runs.setdefault(config, {}).setdefault(kind, []).append((float(train), float(infer)))
print("| config | train, CMake | train, cc -O2 | ratio | infer, CMake | infer, cc -O2 | ratio |")
print("|---|---|---|---|---|---|---|")
for config, kinds in runs.items():
    med = {k: [statistics.median(x[i] for x in v) for i in (0, 1)] for k, v in kinds.items()}
    c, p = med["cmake"], med["plain"]
    print(f"| {config} | {c[0]:.2f} | {p[0]:.2f} | {p[0] / c[0]:.2f} | {c[1]:.2f} | {p[1]:.2f} | {p[1] / c[1]:.2f} |")
PY
