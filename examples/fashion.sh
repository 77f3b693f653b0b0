#!/usr/bin/env bash
# Seed 001 14.3.1: the row-by-row image classifiers, fashion_rnn (SimpleRNN
# 150) and fashion_lstm (LSTM 150), trained on Fashion-MNIST and evaluated
# on its test set.
#
#   examples/fashion.sh [--quick] [--threads N] [--epochs N] [MODEL...]
#
# Each 28x28 image is 28 steps of 28 pixels. Trains on the 60000 training
# images (the spec's 5 epochs of 400 batches of 150, Adam 1e-3; no
# validation split, as in the seed), then runs `eval` on the 10000 t10k
# images and prints the test accuracy of each model.
#   full:    the spec's 5 epochs (21 s for fashion_rnn and 86 s for
#            fashion_lstm); --epochs N
#   --quick: 40 steps on the first 3000 images, eval on the first 1000
#   --threads N: OpenBLAS threads (default 1, as docs/RESULTS.md measured;
#            figures move slightly with the count, as the sums' order does)
# MODEL: fashion_rnn and/or fashion_lstm (default both).
# Output in build/examples/fashion/: MODEL.ckpt (+ .yaml), MODEL.log.csv,
# MODEL.loss.svg, MODEL.eval.txt. The last lines are
#   RESULT fashion_rnn test_accuracy 0.8400
#   RESULT fashion_rnn test_loss 0.448498
#   RESULT fashion_rnn train_seconds 72.6
#   RESULT fashion_lstm test_accuracy 0.8693
#   ...
set -euo pipefail
# shellcheck source=examples/common.sh
. "$(dirname "$0")/common.sh"

quick=0
epochs=()
models=()
while [ $# -gt 0 ]; do
  case $1 in
    --quick) quick=1 ;;
    --threads) threads=${2:?--threads needs a number}; shift ;;
    --epochs) epochs=(--epochs "${2:?--epochs needs a number}"); shift ;;
    fashion_rnn|fashion_lstm) models+=("$1") ;;
    -h|--help) example_help; exit 0 ;;
    *) echo "fashion.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
  esac
  shift
done
[ ${#models[@]} -gt 0 ] || models=(fashion_rnn fashion_lstm)

example_setup
out=$(example_dir fashion)
fashion=$data/fashion
train=("$fashion/train-images-idx3-ubyte.gz" "$fashion/train-labels-idx1-ubyte.gz")
test=("$fashion/t10k-images-idx3-ubyte.gz" "$fashion/t10k-labels-idx1-ubyte.gz")
train_opts=("${epochs[@]}" --eval-every 100)
eval_opts=()
if [ "$quick" = 1 ]; then
  train_opts=(--steps 40 --max-examples 3000 --eval-every 10 --quiet)
  eval_opts=(--max-examples 1000)
fi

for model in "${models[@]}"; do
  rm -f "$out/$model".{ckpt,ckpt.yaml,log.csv,loss.svg,eval.txt}
  echo "== $model: training on ${train[0]}"
  start=$(now)
  "$(prog "$model")" train "${train[@]}" "${train_opts[@]}" --threads "$threads" \
    --checkpoint "$out/$model.ckpt" --log "$out/$model.log.csv" --plot "$out/$model.loss.svg"
  train_seconds=$(elapsed "$start")
  echo "== $model: eval on ${test[0]}"
  "$(prog "$model")" eval "${test[@]}" "${eval_opts[@]}" --threads "$threads" \
    --checkpoint "$out/$model.ckpt" |
    tee "$out/$model.eval.txt"
  line=$(cat "$out/$model.eval.txt")
  echo "trained in $train_seconds s"
  result "$model" test_accuracy "$(eval_field "$line" accuracy)"
  result "$model" test_loss "$(eval_field "$line" loss)"
  result "$model" train_seconds "$train_seconds"
done
results_print
