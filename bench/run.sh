#!/usr/bin/env bash
# rnnc against PyTorch CPU on the benchmark configs C1..C6, in one run on
# one machine (the peer's script: ../shared/bench/torch_rnn_bench.py).
#
#   bench/run.sh [--passes N] [--configs C1,C2,...] [--threads N] [--steps N]
#                [--out DIR]
#
# For each pass and each config it runs rnnc's program (build/bench/cN
# bench) and then PyTorch's script on the same config, interleaved so that
# both see the same machine, with the same number of OpenBLAS threads (where
# both do their matrix products). PyTorch's own OpenMP pool gets one
# thread: at 2 + 2 the pools fight over 2 cores and PyTorch slows down
# (../shared/bench/README.md), so 1 + N is its fair setting. Each run
# appends a JSON-lines record; bench/compare.py turns them into one table of medians over the
# passes and ratios (PyTorch time / rnnc time: above 1, rnnc is faster).
#   --passes N    interleaved passes (default 3)
#   --configs L   which configs (default C1,C2,C3,C4,C5,C6; C2 takes about a
#                 minute a pass)
#   --threads N   threads for both (default 1)
#   --steps N     timed training / inference steps per run (default 20;
#                 3 warm-up steps first)
#   --out DIR     where the records and the tables go (default build/bench/results)
# Output: DIR/records.jsonl, DIR/summary.md (compare.py), DIR/detail.md
# (the peer's summarize.py). Needs python3-torch (installed if missing).
set -euo pipefail
cd "$(dirname "$0")/.."

passes=3
configs=C1,C2,C3,C4,C5,C6
threads=1
steps=20
out=build/bench/results
while [ $# -gt 0 ]; do
  case $1 in
    --passes) passes=${2:?--passes needs a number}; shift ;;
    --configs) configs=${2:?--configs needs a list}; shift ;;
    --threads) threads=${2:?--threads needs a number}; shift ;;
    --steps) steps=${2:?--steps needs a number}; shift ;;
    --out) out=${2:?--out needs a directory}; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench/run.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
  esac
  shift
done

peer=${RNNC_PEER_BENCH:-../shared/bench}
if [ ! -f "$peer/torch_rnn_bench.py" ]; then
  echo "bench/run.sh: no $peer/torch_rnn_bench.py (the peer's benchmark); set RNNC_PEER_BENCH" >&2
  exit 1
fi
if ! /usr/bin/python3 -c 'import torch' 2>/dev/null; then
  echo "== installing python3-torch (the peer)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-torch python3-numpy >/dev/null
fi
scripts/build.sh >/dev/null
programs=${BUILD_DIR:-build}/bench

mkdir -p "$out"
records=$out/records.jsonl
: >"$records"
{
  echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "cpu: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1), $(nproc) cores"
  echo "OPENBLAS_CORETYPE: ${OPENBLAS_CORETYPE:-unset}"
  echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "passes $passes, threads $threads, steps $steps (+3 warm-up)"
} | tee "$out/machine.txt"

# Both sides get THREADS OpenBLAS threads; PyTorch's OpenMP pool one.
export OPENBLAS_NUM_THREADS=$threads OMP_NUM_THREADS=1
for pass in $(seq 1 "$passes"); do
  for config in ${configs//,/ }; do
    prog=$programs/$(tr 'C' 'c' <<<"$config")
    echo "== pass $pass, $config: rnnc"
    "$prog" bench --config "$config" --run "$pass" --threads "$threads" --steps "$steps" \
      --warmup 3 --json "$records" | sed 's/^/   /'
    echo "== pass $pass, $config: PyTorch"
    /usr/bin/python3 "$peer/torch_rnn_bench.py" --configs "$config" --threads 1 \
      --blas-threads "$threads" --steps "$steps" --warmup 3 --run "$pass" --json "$records" |
      sed 's/^/   /'
  done
done
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out/machine.txt"

python3 bench/compare.py "$records" --machine "$out/machine.txt" >"$out/summary.md"
python3 "$peer/summarize.py" "$records" >"$out/detail.md"
cat "$out/summary.md"
echo "records: $records; tables: $out/summary.md, $out/detail.md"
