#!/usr/bin/env bash
# Seed 002 on real words: is a word English or German? The four classifiers
# lang_rnn (SimpleRNN 32), lang_lstm (LSTM 32), lang_stacked (SimpleRNN
# 64 -> 32 -> 16) and lang_dropout (the stack with dropout 0.1 and
# recurrent dropout 0.5), each trained on words_train.tsv and evaluated on
# words_test.tsv.
#
#   examples/lang.sh [--quick] [--threads N] [--epochs N] [MODEL...]
#
# Data: 119590 training and 29898 test words, half English (wamerican),
# half German (wngerman), byte by byte, padded to 24 and masked; the 2 test
# words with a byte no training word has are left out (eval --unknown
# skip; the programs refuse unknown bytes by default). Training
# uses the specs' settings: 20% of the training words held out for
# validation (shuffled), 10 epochs of 747 batches of 128, RMSprop 1e-3.
#   full:    the specs' 10 epochs (1.5 minutes for the four);
#            --epochs N for fewer
#   --quick: 60 steps on the first 4000 training words, eval on the first
#            2000 test words
#   --threads N: OpenBLAS threads (default 1, as docs/RESULTS.md measured;
#            figures move slightly with the count, as the sums' order does)
# MODEL: any of the four (default all).
# Output in build/examples/lang/: MODEL.ckpt (+ .yaml), MODEL.log.csv,
# MODEL.curves.svg, MODEL.eval.txt. The last lines are
#   RESULT lang_rnn test_accuracy 0.9544
#   RESULT lang_rnn test_loss 0.121050
#   RESULT lang_rnn valid_accuracy 0.9529
#   RESULT lang_rnn train_seconds 7.5
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
    lang_rnn|lang_lstm|lang_stacked|lang_dropout) models+=("$1") ;;
    -h|--help) example_help; exit 0 ;;
    *) echo "lang.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
  esac
  shift
done
[ ${#models[@]} -gt 0 ] || models=(lang_rnn lang_lstm lang_stacked lang_dropout)

example_setup
out=$(example_dir lang)
train=$data/words_train.tsv
test=$data/words_test.tsv

# The programs refuse a byte their vocabulary (built from the training
# words) lacks unless told otherwise, and 2 test words have one no training
# word has: 0xa5, in "smörgåsbord" and "smörgåsbords" (American English).
# --unknown skip leaves them out (eval says so on stderr).
train_opts=("${epochs[@]}")
eval_opts=(--unknown skip)
if [ "$quick" = 1 ]; then
  train_opts=(--steps 60 --max-examples 4000 --eval-every 20 --quiet)
  eval_opts+=(--max-examples 2000)
fi

for model in "${models[@]}"; do
  rm -f "$out/$model".{ckpt,ckpt.yaml,log.csv,curves.svg,eval.txt}
  echo "== $model: training on $train"
  start=$(now)
  "$(prog "$model")" train "$train" "${train_opts[@]}" --threads "$threads" \
    --checkpoint "$out/$model.ckpt" --log "$out/$model.log.csv" --plot "$out/$model.curves.svg"
  train_seconds=$(elapsed "$start")
  echo "== $model: eval on $test"
  "$(prog "$model")" eval "$test" "${eval_opts[@]}" --threads "$threads" \
    --checkpoint "$out/$model.ckpt" |
    tee "$out/$model.eval.txt"
  line=$(cat "$out/$model.eval.txt")
  valid=$(printf '%.4f' "$(log_column "$out/$model.log.csv" valid_accuracy)")
  echo "trained in $train_seconds s; final validation accuracy $valid"
  result "$model" test_accuracy "$(eval_field "$line" accuracy)"
  result "$model" test_loss "$(eval_field "$line" loss)"
  result "$model" valid_accuracy "$valid"
  result "$model" train_seconds "$train_seconds"
done
results_print
