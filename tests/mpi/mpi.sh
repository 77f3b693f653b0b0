#!/usr/bin/env bash
# Data-parallel training over MPI (runtime/program/dist.h, docs/scaling.md),
# with mpirun -np 2 on this machine.
#
#   tests/mpi/mpi.sh CASE WORK_DIR PROGRAMS_DIR
#
# CASE:
#   same/seq, same/text  two ranks with batch B train as one process with
#                  batch 2B: the same loss at each of 40 steps and the same
#                  test loss (text: the same samples) after them, to float
#                  summation order (a series of examples, and stateful
#                  text: rows split between ranks)
#   resume         a 2-rank checkpoint resumed by 2 ranks is byte-identical
#                  to an unbroken 2-rank run; 1 rank resumes a 2-rank run and
#                  2 ranks resume a 1-rank one
#   failure        one rank that cannot read its data stops the job with its
#                  message; no checkpoint is written; eval under mpirun is
#                  refused
#
# Environment: RNNC_DATA (the prepared data, examples/prepare_data.sh).
set -u
case_name=$1
src=$(cd "$(dirname "$0")/../.." && pwd)
data=${RNNC_DATA:?set RNNC_DATA to the prepared data (examples/prepare_data.sh DIR)}
data=$(cd "$data" && pwd)
programs=$(cd "$3" && pwd)
work=$2/$case_name
rm -rf "$work"
mkdir -p "$work"
cd "$work" || exit 1
source "$src/tests/testlib.sh"

# Tests run as root in CI; Open MPI refuses root unless told. Shared memory
# between the two ranks; no ptrace-based single copy (containers forbid it).
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_btl=self,vader OMPI_MCA_btl_vader_single_copy_mechanism=none
export OMPI_MCA_rmaps_base_oversubscribe=1
mpi2() { mpirun -np 2 --bind-to none "$@"; }

head -c 60000 "$data/fortunes.txt" >text.txt

# same_result SMALL BIG TRAIN TEST: SMALL on 2 ranks against BIG (twice the
# batch) in one process, step by step and on TEST (or "sample")
same_result() {
  local small=$1 big=$2 train=$3 test=$4
  run 0 one "$programs/$big" train "$train" --steps 40 --eval-every 1 --log one.csv \
    --val-split 0 --checkpoint one.ckpt --threads 1 --quiet
  run 0 two mpi2 "$programs/$small" train "$train" --steps 40 --eval-every 1 --log two.csv \
    --val-split 0 --checkpoint two.ckpt --threads 1 --quiet
  check "rank 0 alone wrote the log: one header, 40 rows" test "$(wc -l <two.csv)" -eq 41
  local worst
  worst=$(awk -F, 'NR == FNR { a[FNR] = $4; next } FNR > 1 {
      d = $4 - a[FNR]; if (d < 0) d = -d; r = d / (a[FNR] < 0 ? -a[FNR] : a[FNR]);
      if (r > w) w = r } END { printf "%.3g", w }' one.csv two.csv)
  echo "$case_name: worst relative difference of the 40 training losses: $worst"
  num_check "the training losses agree at every step" "w < 1e-5" "w=$worst"
  num_check "training moved the loss" "last < first * 0.98" "first=$(column one.csv train_loss 1)" \
    "last=$(column one.csv train_loss -1)"
  if [ "$test" = sample ]; then
    # a text model's eval lays the text out in B rows: sample instead (one
    # row, the same draws), which only agrees when the weights do
    run 0 sample_one "$programs/$big" sample --checkpoint one.ckpt --length 300 --seed 2
    run 0 sample_two "$programs/$small" sample --checkpoint two.ckpt --length 300 --seed 2
    check "the trained models sample the same 300 bytes" cmp -s sample_one.out sample_two.out
    return
  fi
  run 0 eval_one "$programs/$big" eval "$test" --checkpoint one.ckpt --threads 1
  run 0 eval_two "$programs/$small" eval "$test" --checkpoint two.ckpt --threads 1
  local a b
  a=$(awk '$1 == "loss" { print $2 }' eval_one.out)
  b=$(awk '$1 == "loss" { print $2 }' eval_two.out)
  echo "$case_name: test loss $a (1 process, batch 2B) and $b (2 ranks, batch B)"
  num_check "the trained models agree on the test data" "(a - b)^2 < (1e-4 * a)^2" "a=$a" "b=$b"
}

case $case_name in
same/seq)
  same_result seq_b8 seq_b16 "$data/series_train.csv" "$data/series_test.csv"
  reached_end=1
  ;;

same/text)
  same_result text_b4 text_b8 text.txt sample
  reached_end=1
  ;;

resume)
  p="$programs/seq_b8" d="$data/series_train.csv"
  run 0 straight mpi2 "$p" train "$d" --steps 30 --eval-every 10 --checkpoint straight.ckpt \
    --threads 1 --quiet
  run 0 first mpi2 "$p" train "$d" --steps 20 --eval-every 10 --checkpoint split.ckpt \
    --threads 1 --quiet
  run 0 second mpi2 "$p" train "$d" --steps 30 --eval-every 10 --checkpoint split.ckpt \
    --threads 1 --quiet --resume
  check "2 ranks resume 2 ranks exactly: the checkpoints are byte-identical" \
    cmp -s straight.ckpt split.ckpt
  run 0 one_rank "$p" train "$d" --steps 40 --checkpoint split.ckpt --threads 1 --quiet --resume
  run 0 info1 "$p" info --checkpoint split.ckpt
  check "1 rank resumes a 2-rank run" grep -q '^step           40$' info1.out
  run 0 single "$p" train "$d" --steps 15 --checkpoint single.ckpt --threads 1 --quiet
  run 0 two_ranks mpi2 "$p" train "$d" --steps 25 --checkpoint single.ckpt --threads 1 \
    --quiet --resume
  run 0 info2 "$p" info --checkpoint single.ckpt
  check "2 ranks resume a 1-rank run" grep -q '^step           25$' info2.out
  reached_end=1
  ;;

failure)
  p="$programs/seq_b8"
  # Open MPI's MPMD form: rank 0 reads the data, rank 1 a file that is not there
  run 1 missing mpirun --bind-to none -np 1 "$p" train "$data/series_train.csv" \
    --checkpoint x.ckpt --threads 1 --quiet : -np 1 "$p" train none.csv \
    --checkpoint x.ckpt --threads 1 --quiet
  check "the failing rank says why" \
    grep -q "^seq_b8 (rank 1): error: none.csv: cannot open the file (no such file or directory)" \
    missing.err
  check "no checkpoint, not even a partial one" test -z "$(ls x.ckpt* 2>/dev/null)"
  run 2 eval mpi2 "$p" eval "$data/series_test.csv" --checkpoint x.ckpt
  check "eval under mpirun is refused" \
    grep -q "^seq_b8 eval: runs in one process: run it without mpirun (only train runs as several)$" \
    eval.err
  reached_end=1
  ;;

*)
  echo "mpi.sh: unknown case '$case_name'" >&2
  exit 2
  ;;
esac

[ "$reached_end" = 1 ] || fail "the case stopped before its end: see the shell error above"
echo "$case_name: $pass passed, $failed failed"
[ "$failed" -eq 0 ]
