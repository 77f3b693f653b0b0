#!/usr/bin/env bash
# Seed 000: the character-level LSTM (specs/chargen.rnn) trained on the
# fortune cookie files, then sampled.
#
#   examples/chargen.sh [--quick] [--threads N] [--steps N]
#
# Trains on build/data/fortunes.txt (2.5 MB) holding out its last 5% for
# validation (--val-split 0.05), validating every 250 steps; prints the
# validation loss per character (mean cross-entropy, in nats and in bits),
# then 1000 characters sampled from the prime "t" at the spec's temperature.
#   full:    --steps 3000 (default; 70 seconds)
#   --quick: 60 steps on the first 200 kB, a 200-character sample (seconds)
#   --threads N: OpenBLAS threads (default 1, as docs/RESULTS.md measured;
#            figures move slightly with the count, as the sums' order does)
# Output in build/examples/chargen/: chargen.ckpt (+ .yaml), log.csv,
# loss.svg, sample.txt. The last lines are
#   RESULT chargen valid_loss_per_char 2.0637
#   RESULT chargen valid_bits_per_char 2.9773
#   RESULT chargen train_seconds 69.3
set -euo pipefail
# shellcheck source=examples/common.sh
. "$(dirname "$0")/common.sh"

quick=0
steps=3000
while [ $# -gt 0 ]; do
  case $1 in
    --quick) quick=1 ;;
    --threads) threads=${2:?--threads needs a number}; shift ;;
    --steps) steps=${2:?--steps needs a number}; shift ;;
    -h|--help) example_help; exit 0 ;;
    *) echo "chargen.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
  esac
  shift
done

example_setup
out=$(example_dir chargen)
rm -f "$out"/chargen.ckpt "$out"/chargen.ckpt.yaml "$out"/log.csv "$out"/loss.svg "$out"/sample.txt
text=$data/fortunes.txt
eval_every=250
length=1000
quiet=()
if [ "$quick" = 1 ]; then
  head -c 200000 "$text" >"$out/fortunes_200k.txt"
  text=$out/fortunes_200k.txt
  steps=60
  eval_every=20
  length=200
  quiet=(--quiet)
fi

chargen=$(prog chargen)
echo "== chargen: training $steps steps on $text (last 5% held out)"
start=$(now)
"$chargen" train "$text" --val-split 0.05 --steps "$steps" --eval-every "$eval_every" \
  --threads "$threads" \
  --checkpoint "$out/chargen.ckpt" --log "$out/log.csv" --plot "$out/loss.svg" "${quiet[@]}"
train_seconds=$(elapsed "$start")
loss=$(log_column "$out/log.csv" valid_loss)
bits=$(awk -v l="$loss" 'BEGIN { printf "%.4f", l / log(2) }')
loss=$(awk -v l="$loss" 'BEGIN { printf "%.4f", l }')
echo "trained in $train_seconds s; validation loss per character: $loss nats = $bits bits"

echo "== chargen: sample --prime t --length $length"
"$chargen" sample --checkpoint "$out/chargen.ckpt" --prime t --length "$length" |
  tee "$out/sample.txt"

result chargen valid_loss_per_char "$loss"
result chargen valid_bits_per_char "$bits"
result chargen train_seconds "$train_seconds"
results_print
