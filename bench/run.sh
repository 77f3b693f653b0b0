#!/usr/bin/env bash
# rnnc against PyTorch CPU and oneDNN's RNN primitives on the benchmark
# configs C1..C6, at 1 and 2 threads, in one run on one machine (the peers:
# ../shared/bench/torch_rnn_bench.py and ../shared/bench/onednn).
#
#   bench/run.sh [--passes N] [--configs C1,C2,...] [--threads 1,2] [--steps N]
#                [--peers rnnc,torch,onednn] [--out DIR]
#
# For each pass, each thread count and each config it runs, one after the
# other (interleaved, so that all see the same machine):
#   rnnc whole     build/bench/cN bench: the whole training step, inference
#                  and sampling of the config (OpenBLAS and OpenMP at T threads)
#   rnnc layers    build/bench/cNl bench (not C5): the same recurrent layers
#                  on a dense input with a one-unit head, MSE and Adam: the
#                  like-for-like of oneDNN's layers (an upper bound on rnnc's
#                  time for the layers alone); recorded as config "CN-layers"
#   PyTorch        the peer's script, OpenMP at 1 thread and OpenBLAS at T
#                  (at 2 + 2 the pools fight over 2 cores and PyTorch slows
#                  down, ../shared/bench/README.md, so 1 + T is its fair setting)
#   oneDNN         onednn_rnn_bench (not C5): its RNN primitives on the
#                  recurrent layers alone, OMP_NUM_THREADS=T
# each under GNU time for its peak RSS. Once per run, before the passes: the
# FMA peak at each thread count (build/bench/peak) and the time of `rnnc
# emit` plus `cc -O2 -c` of each config's generated C. Everything goes into
# one JSON-lines file; bench/compare.py turns it into the tables (medians
# over the passes, ratios such as PyTorch time / rnnc time: above 1, rnnc is
# faster) and checks the targets.
#   --passes N    interleaved passes (default 2)
#   --configs L   which configs (default C1,C2,C3,C4,C5,C6; C2 takes about
#                 two minutes a pass and thread count)
#   --threads L   thread counts, each measured for every peer (default 1,2)
#   --steps N     timed training / inference steps per run (default 20;
#                 3 warm-up steps first)
#   --peers L     which peers to run (default rnnc,torch,onednn; rnnc means
#                 both rnnc programs)
#   --out DIR     where the records and the tables go (default build/bench/results)
# Output: DIR/records.jsonl, DIR/summary.md (compare.py), DIR/detail.md
# (the peer's summarize.py), DIR/machine.txt. Needs python3-torch,
# libdnnl-dev and GNU time (installed if missing, as root); BUILD_DIR as
# for scripts/build.sh (default build).
set -euo pipefail
cd "$(dirname "$0")/.."

passes=2
configs=C1,C2,C3,C4,C5,C6
threads_list=1,2
steps=20
peers=rnnc,torch,onednn
out=build/bench/results
while [ $# -gt 0 ]; do
  case $1 in
    --passes) passes=${2:?--passes needs a number}; shift ;;
    --configs) configs=${2:?--configs needs a list}; shift ;;
    --threads) threads_list=${2:?--threads needs a list}; shift ;;
    --steps) steps=${2:?--steps needs a number}; shift ;;
    --peers) peers=${2:?--peers needs a list}; shift ;;
    --out) out=${2:?--out needs a directory}; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench/run.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
  esac
  shift
done

fail() {
  echo "bench/run.sh: $*" >&2
  exit 2
}
for n in "$passes" "$steps" ${threads_list//,/ }; do
  [[ $n =~ ^[1-9][0-9]*$ ]] || fail "'$n' is not a positive number"
done
for config in ${configs//,/ }; do
  [[ $config =~ ^C[1-6]$ ]] || fail "unknown config '$config' (C1..C6)"
done
run_rnnc=0 run_torch=0 run_onednn=0
for p in ${peers//,/ }; do
  case $p in
    rnnc) run_rnnc=1 ;;
    torch) run_torch=1 ;;
    onednn) run_onednn=1 ;;
    *) fail "unknown peer '$p' (rnnc, torch, onednn)" ;;
  esac
done

# apt_install PKG...: the Debian packages, as root (the lists refreshed if
# the first try fails)
apt_install() {
  echo "== installing $*"
  if [ "$(id -u)" -ne 0 ]; then
    echo "bench/run.sh: need root to install $* (or install them yourself)" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q "$@" >/dev/null ||
    { apt-get update -qq && apt-get install -y -q "$@" >/dev/null; }
}
installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "ok installed"
}

peer=${RNNC_PEER_BENCH:-../shared/bench}
if [ "$run_torch" = 1 ] && [ ! -f "$peer/torch_rnn_bench.py" ]; then
  echo "bench/run.sh: no $peer/torch_rnn_bench.py (the peer's benchmark); set RNNC_PEER_BENCH" >&2
  exit 1
fi
if [ "$run_onednn" = 1 ] && [ ! -f "$peer/onednn/onednn_rnn_bench.c" ]; then
  echo "bench/run.sh: no $peer/onednn/onednn_rnn_bench.c (oneDNN's benchmark); set RNNC_PEER_BENCH" >&2
  exit 1
fi
if [ "$run_torch" = 1 ] && ! /usr/bin/python3 -c 'import torch' 2>/dev/null; then
  apt_install python3-torch python3-numpy
fi
if [ "$run_onednn" = 1 ] && ! installed libdnnl-dev; then
  apt_install libdnnl-dev
fi
[ -x /usr/bin/time ] || apt_install time

build=${BUILD_DIR:-build}
scripts/build.sh >/dev/null
programs=$build/bench

mkdir -p "$out"
records=$out/records.jsonl
: >"$records"
if [ "$run_onednn" = 1 ]; then
  gcc -O2 -o "$out/onednn_rnn_bench" "$peer/onednn/onednn_rnn_bench.c" -ldnnl -ldl -lm
fi
{
  echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "cpu: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1), $(nproc) cores"
  echo "rnnc: commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD -- 2>/dev/null || echo ' + uncommitted changes')"
  echo "OPENBLAS_CORETYPE: ${OPENBLAS_CORETYPE:-unset}, ONEDNN_MAX_CPU_ISA: ${ONEDNN_MAX_CPU_ISA:-unset}"
  echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "passes $passes, threads $threads_list, steps $steps (+3 warm-up), configs $configs, peers $peers"
} | tee "$out/machine.txt"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# timed IMPL CONFIG THREADS PASS COMMAND...: runs COMMAND under GNU time
# and appends its peak RSS as a record
timed() {
  local impl=$1 config=$2 threads=$3 pass=$4
  shift 4
  /usr/bin/time -f '%M' -o "$tmp/rss" "$@"
  printf '{"impl": "%s", "config": "%s", "threads": %d, "run": "%s", "max_rss_kb": %d}\n' \
    "$impl" "$config" "$threads" "$pass" "$(tail -n 1 "$tmp/rss")" >>"$records"
}
# onednn_lines: oneDNN's JSON lines on stdin; appends them to the records and
# shows one short line each
onednn_lines() {
  local line mode ms
  while IFS= read -r line; do
    [[ $line == "{"* ]] || continue
    echo "$line" >>"$records"
    mode=$(grep -Eo '"mode": "[a-z0-9]+"' <<<"$line" | cut -d'"' -f4)
    if [ "$mode" = sample1 ]; then
      ms="$(grep -Eo '"us_per_step_median": [0-9.]+' <<<"$line" | cut -d' ' -f2) us/step"
    else
      ms="$(grep -Eo '"ms_median": [0-9.]+' <<<"$line" | cut -d' ' -f2) ms"
    fi
    printf '%-8s %s, %s GFLOP/s, %s\n' "$mode" "$ms" \
      "$(grep -Eo '"gflops": [0-9.]+' <<<"$line" | cut -d' ' -f2)" \
      "$(grep -Eo '"impl_fwd": "[^"]*"' <<<"$line" | cut -d'"' -f4)"
  done
}
now() { echo "$EPOCHREALTIME"; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }

# The machine's FMA peak at each thread count (and on one thread each time),
# before the passes and again after them: compare.py takes the larger, since
# a neighbour on the host can take a core for the few seconds of one probe
# (seen: 103 GFLOP/s on 2 threads at the start of a run, 198 a minute later).
fma_peak() {
  for threads in ${threads_list//,/ }; do
    echo "== FMA peak, $threads thread(s)"
    "$programs/peak" --threads "$threads" | grep '^{' | tee -a "$records" | sed 's/^/   /'
  done
}
fma_peak

# Compile time of each config: rnnc emit, then cc -O2 of the generated C.
if [ "$run_rnnc" = 1 ]; then
  for config in ${configs//,/ }; do
    name=$(tr 'C' 'c' <<<"$config")
    rm -rf "$tmp/emit" && mkdir -p "$tmp/emit"
    t0=$(now)
    "$build/rnnc" emit "bench/specs/$name.rnn" -o "$tmp/emit"
    t1=$(now)
    cc -O2 -c "$tmp/emit/$name.c" -I runtime/kernels -I runtime/program -o /dev/null
    cc -O2 -c "$tmp/emit/${name}_main.c" -I runtime/kernels -I runtime/program -o /dev/null
    t2=$(now)
    printf '{"impl": "rnnc", "config": "%s", "emit_seconds": %s, "cc_seconds": %s, "emit_cc_seconds": %s}\n' \
      "$config" "$(elapsed "$t0" "$t1")" "$(elapsed "$t1" "$t2")" "$(elapsed "$t0" "$t2")" |
      tee -a "$records" | sed "s/^/== emit + cc $config: /"
  done
fi

# The passes: per thread count and config, every peer in turn. rnnc gets T
# OpenBLAS and T OpenMP threads; PyTorch T OpenBLAS threads and an OpenMP
# pool of one; oneDNN (OpenMP, no BLAS) T.
for pass in $(seq 1 "$passes"); do
  for threads in ${threads_list//,/ }; do
    for config in ${configs//,/ }; do
      name=$(tr 'C' 'c' <<<"$config")
      if [ "$run_rnnc" = 1 ]; then
        echo "== pass $pass, $threads thread(s), $config: rnnc"
        OPENBLAS_NUM_THREADS=$threads OMP_NUM_THREADS=$threads \
          timed rnnc "$config" "$threads" "$pass" "$programs/$name" bench --config "$config" \
          --run "$pass" --threads "$threads" --steps "$steps" --warmup 3 --json "$records" |
          sed 's/^/   /'
        if [ -f "bench/specs/${name}l.rnn" ]; then
          echo "== pass $pass, $threads thread(s), $config: rnnc layers"
          OPENBLAS_NUM_THREADS=$threads OMP_NUM_THREADS=$threads \
            timed rnnc "$config-layers" "$threads" "$pass" "$programs/${name}l" bench \
            --config "$config-layers" --run "$pass" --threads "$threads" --steps "$steps" \
            --warmup 3 --json "$records" | sed 's/^/   /'
        fi
      fi
      if [ "$run_torch" = 1 ]; then
        echo "== pass $pass, $threads thread(s), $config: PyTorch"
        OPENBLAS_NUM_THREADS=$threads OMP_NUM_THREADS=1 \
          timed torch "$config" "$threads" "$pass" /usr/bin/python3 "$peer/torch_rnn_bench.py" \
          --configs "$config" --threads 1 --blas-threads "$threads" --steps "$steps" --warmup 3 \
          --run "$pass" --json "$records" | sed 's/^/   /'
      fi
      if [ "$run_onednn" = 1 ] && [ "$config" != C5 ]; then
        echo "== pass $pass, $threads thread(s), $config: oneDNN"
        OMP_NUM_THREADS=$threads \
          timed onednn "$config" "$threads" "$pass" "$out/onednn_rnn_bench" --configs "$config" \
          --modes train,infer,sample --run "$pass" --iters "$steps" --warmup 3 >"$tmp/onednn"
        onednn_lines <"$tmp/onednn" | sed 's/^/   /'
      fi
    done
  done
done
fma_peak
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out/machine.txt"

/usr/bin/python3 bench/compare.py "$records" --machine "$out/machine.txt" >"$out/summary.md"
tables=$out/summary.md
if grep -q '"train_step_ms_median"' "$records" && [ -f "$peer/summarize.py" ]; then
  # the peer's per-config table of rnnc's and PyTorch's records
  grep '"train_step_ms_median"' "$records" >"$tmp/steps.jsonl"
  /usr/bin/python3 "$peer/summarize.py" "$tmp/steps.jsonl" >"$out/detail.md"
  tables="$tables, $out/detail.md"
fi
cat "$out/summary.md"
echo "records: $records; tables: $tables"
