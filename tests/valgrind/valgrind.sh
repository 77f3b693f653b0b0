#!/usr/bin/env bash
# The generated program under valgrind's memcheck: no invalid access, no
# use of uninitialized memory, no leak (definite or indirect), for one small
# model of each cell kind (vg_rnn.rnn, vg_lstm.rnn, vg_gru.rnn): train with
# validation, a log and a plot, resume, eval, predict, sample, export, info
# and --init, and a refused bad input.
#
#   tests/valgrind/valgrind.sh MODEL PROGRAM WORK_DIR
#
# Environment: RNNC_DATA (examples/prepare_data.sh's directory). Runs with
# one thread: valgrind serializes threads anyway, and OpenMP's pool would
# only add its own (reachable, not leaked) allocations.
set -u
case_name=$1
program=$2
src=$(cd "$(dirname "$0")/../.." && pwd)
data=${RNNC_DATA:?set RNNC_DATA to the prepared data (examples/prepare_data.sh DIR)}
work=$3/$case_name
rm -rf "$work"
mkdir -p "$work"
cd "$work" || exit 1
source "$src/tests/testlib.sh"

# vg CODE NAME ARGS...: the program under memcheck; an error is exit 99
vg() {
  local code=$1 name=$2
  shift 2
  run "$code" "$name" valgrind -q --error-exitcode=99 --leak-check=full \
    --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect \
    --track-origins=yes "$program" "$@"
  if grep -q '^==[0-9]*==' "$name.err"; then
    fail "$name: valgrind reported:"
    grep '^==[0-9]*==' "$name.err" | head -n 30 | sed 's/^/    /'
  else ok; fi
}

case $case_name in
vg_rnn)
  head -c 20000 "$data/fortunes.txt" >train.txt
  head -c 40000 "$data/fortunes.txt" | tail -c 4000 >valid.txt
  files=(train.txt) valid=(--valid valid.txt) eval=(valid.txt)
  predicts=0 samples=1 # text is sampled, not predicted
  ;;
vg_lstm)
  head -n 400 "$data/words_train.tsv" >train.tsv
  head -n 60 "$data/words_test.tsv" >valid.tsv
  files=(train.tsv) valid=(--valid valid.tsv --unknown skip) eval=(valid.tsv --unknown skip)
  predicts=1 samples=0 # a classifier: nothing to feed back
  ;;
vg_gru)
  head -n 120 "$data/series_train.csv" >train.csv
  files=(train.csv) valid=(--val-split 0.2) eval=("$data/series_test.csv")
  predicts=1 samples=1
  ;;
*)
  echo "valgrind.sh: unknown model '$case_name'" >&2
  exit 2
  ;;
esac

vg 0 train train "${files[@]}" "${valid[@]}" --steps 3 --eval-every 2 --log log.csv \
  --plot plot.svg --checkpoint m.ckpt --threads 1 --quiet
vg 0 resume train "${files[@]}" "${valid[@]}" --steps 5 --eval-every 2 --log log.csv \
  --checkpoint m.ckpt --threads 1 --quiet --resume
vg 0 eval eval "${eval[@]}" --checkpoint m.ckpt --threads 1
[ "$predicts" = 1 ] && vg 0 predict predict "${eval[@]}" --checkpoint m.ckpt --threads 1
[ "$samples" = 1 ] && vg 0 sample sample --checkpoint m.ckpt --length 20 --seed 3
vg 0 export export --checkpoint m.ckpt --out m.params
vg 0 info info --checkpoint m.params
vg 0 init train "${files[@]}" "${valid[@]}" --steps 1 --init m.params --checkpoint i.ckpt \
  --threads 1 --quiet
head -c 100 m.ckpt >cut.ckpt
vg 1 truncated eval "${eval[@]}" --checkpoint cut.ckpt --threads 1
vg 2 usage train "${files[@]}" --stepz 3

reached_end=1
[ "$reached_end" = 1 ] || fail "the case stopped before its end: see the shell error above"
echo "$case_name: $pass passed, $failed failed"
[ "$failed" -eq 0 ]
