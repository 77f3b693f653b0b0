#!/usr/bin/env bash
# The main job, as far as rnnc goes today: build the compiler and show what
# it makes of every spec in specs/ (parameters, FLOPs, memory).
# Code generation and training come with the next milestones.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/build.sh
for spec in specs/*.rnn; do
  echo "== $spec"
  build/rnnc stats "$spec"
  echo
done
