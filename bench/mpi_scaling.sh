#!/usr/bin/env bash
# Data-parallel scaling on this machine (docs/scaling.md): a model program
# trained by 1 process and by 2 MPI ranks, in one run, and the time of one
# allreduce of its parameter count.
#
#   bench/mpi_scaling.sh [MODEL [DATA]]     (default chargen on the fortunes)
#
# Each configuration trains STEPS steps (default 220) with --val-split 0 and
# a log row every 20 steps; steps/s is measured between the first and the
# last row, so loading and the first steps are left out. Weak scaling: each
# rank keeps the spec's batch B, so 2 ranks step through 2B sequences.
# Needs the build (scripts/build.sh) and the data (examples/prepare_data.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
model=${1:-chargen}
data=${2:-build/data/fortunes.txt}
prog=build/programs/$model
steps=${STEPS:-220}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_btl=self,vader OMPI_MCA_btl_vader_single_copy_mechanism=none
export OMPI_MCA_rmaps_base_oversubscribe=1

batch=$("$prog" info | awk '$1 == "batch" { print $2; exit }')
params=$("$prog" info | awk '$1 == "parameters" { print $2; exit }')
# steps/s of a run: LABEL RANKS THREADS [LAUNCHER...]
measure() {
  local label=$1 ranks=$2 threads=$3
  shift 3
  "$@" "$prog" train "$data" --steps "$steps" --eval-every 20 --val-split 0 --threads "$threads" \
    --log "$work/run.csv" --checkpoint "$work/run.ckpt" --quiet 2>"$work/run.err" ||
    { cat "$work/run.err" >&2; exit 1; }
  awk -F, -v label="$label" -v ranks="$ranks" -v b="$batch" '
    NR == 2 { s0 = $1; t0 = $8 } NR > 2 { s1 = $1; t1 = $8 }
    END { sps = (s1 - s0) / (t1 - t0)
          printf "%-32s %7.2f steps/s %8.1f sequences/s %8.2f ms/step\n", label, sps,
                 sps * b * ranks, 1000 / sps }' "$work/run.csv" | tee -a "$work/table"
}
echo "$model: B=$batch per rank, $params parameters; $(nproc) cores; $steps steps each"
measure "1 process, 1 thread" 1 1
measure "1 process, 2 threads" 1 2
measure "2 ranks x 1 thread (mpirun)" 2 1 mpirun -np 2 --bind-to none
awk '{ seq[NR] = $(NF - 3) } END {
  printf "efficiency of 2 ranks against 2 x (1 process, 1 thread): %.2f\n", seq[3] / (2 * seq[1])
  printf "2 ranks against 1 process with 2 threads (sequences/s): %.2f\n", seq[3] / seq[2] }' \
  "$work/table"
mpicc -O2 -std=c11 bench/allreduce.c -o "$work/allreduce"
mpirun -np 2 --bind-to none "$work/allreduce" "$params" 200
