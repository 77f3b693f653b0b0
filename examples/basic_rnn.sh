#!/usr/bin/env bash
# Seed 001 14.2: the basic RNN (3 inputs, 5 tanh neurons, 2 steps) run on
# the seed's mini-batch through the generated C API, without the driver:
# examples/basic_rnn/basic_rnn.c includes generated/basic_rnn.h and is
# compiled with generated/basic_rnn.c and the runtime's sources by one cc
# line below, the way you would embed a generated model in your own program.
#
#   examples/basic_rnn.sh [--quick] [SEED]
#
# Prints Y0 and Y1 (4 instances x 5 neurons each) for the parameters
# basic_rnn_init(SEED) draws (default: the spec's seed, 1), checks them
# against the seed's equations computed by hand, and ends with
#   RESULT basic_rnn max_abs_diff 8.79e-08
# No data and no training: --quick is accepted like the other examples' and
# changes nothing (it takes a second). Output in build/examples/basic_rnn/:
# the program and output.txt.
set -euo pipefail
# shellcheck source=examples/common.sh
. "$(dirname "$0")/common.sh"

seed=()
while [ $# -gt 0 ]; do
  case $1 in
    --quick) ;;
    -h|--help) example_help; exit 0 ;;
    [0-9]*) seed=("$1") ;;
    *) echo "basic_rnn.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
  esac
  shift
done

[ -n "${RNNC_EXAMPLES_NO_SETUP:-}" ] || scripts/build.sh >/dev/null # (rnnc, the packages)
out=$(example_dir basic_rnn)

# The one line that builds it: your program + the generated model + the
# runtime's kernels (the model functions need nothing else), no CMake.
${CC:-cc} -std=c11 -O2 -Wall -Wextra -Igenerated -Iruntime/kernels \
  examples/basic_rnn/basic_rnn.c generated/basic_rnn.c runtime/kernels/*.c \
  -lopenblas -lm -o "$out/basic_rnn"

"$out/basic_rnn" "${seed[@]}" | tee "$out/output.txt"
