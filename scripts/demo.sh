#!/usr/bin/env bash
# The main job: seed 000's character-level LSTM (specs/chargen.rnn) compiled
# by rnnc into a standalone C program, trained on the fortune cookie files
# for about two minutes, then asked for 1000 characters after "t".
#
#   scripts/demo.sh [STEPS]        (default 5000: four passes over the
#                                   fortunes, about 2 minutes)
#
# Builds (installing what is missing), prepares the data (examples/
# prepare_data.sh), trains build/programs/chargen with a progress bar (on a
# terminal) and a validation loss on the last 5% of the text, saves the
# checkpoint to build/demo/chargen.ckpt, and samples from it. The examples
# in examples/ do the same for every seed model (examples/README.md).
set -euo pipefail
cd "$(dirname "$0")/.."

steps=${1:-5000}
scripts/build.sh >/dev/null
examples/prepare_data.sh build/data >/dev/null
mkdir -p build/demo

echo "== the model: specs/chargen.rnn"
build/rnnc stats specs/chargen.rnn
echo
echo "== training $steps steps on build/data/fortunes.txt ($(wc -c <build/data/fortunes.txt) bytes)"
build/programs/chargen train build/data/fortunes.txt --val-split 0.05 --steps "$steps" \
  --eval-every 1000 --checkpoint build/demo/chargen.ckpt --log build/demo/log.csv \
  --plot build/demo/loss.svg
echo
echo "== 1000 characters from \"t\" (build/programs/chargen sample --checkpoint build/demo/chargen.ckpt)"
build/programs/chargen sample --checkpoint build/demo/chargen.ckpt --prime t --length 1000
