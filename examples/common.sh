# shellcheck shell=bash
# Sourced by every example script (not run on its own): the paths, the
# set-up, and the RESULT lines. After sourcing, the working directory is the
# repository's top, whatever it was.
#
# Environment (all optional):
#   BUILD_DIR                the build tree (default build), as scripts/build.sh
#   RNNC_PROGRAMS            where the model programs are (default BUILD_DIR/programs)
#   RNNC_DATA                the prepared data (default BUILD_DIR/data)
#   RNNC_EXAMPLES_OUT        where outputs go (default BUILD_DIR/examples): OUT/NAME/
#   RNNC_EXAMPLES_NO_SETUP=1 skip scripts/build.sh and examples/prepare_data.sh
#                            (the tests do both once, before any example runs)
#   RNNC_THREADS             OpenBLAS threads per program (default 1; a script's
#                            --threads N wins)

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1

BUILD_DIR=${BUILD_DIR:-build}
export BUILD_DIR
programs=${RNNC_PROGRAMS:-$BUILD_DIR/programs}
data=${RNNC_DATA:-$BUILD_DIR/data}
examples_out=${RNNC_EXAMPLES_OUT:-$BUILD_DIR/examples}
# One BLAS thread by default: a GEMM's sums run in an order that depends on
# the thread count, so the figures (docs/RESULTS.md) are reproducible only
# at a fixed count; these models are small enough that 1 loses little.
threads=${RNNC_THREADS:-1}

# Prints the comment block at the top of the calling script (its --help).
example_help() {
  sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
}

# Builds everything and prepares the data, quietly (errors still show).
example_setup() {
  [ -n "${RNNC_EXAMPLES_NO_SETUP:-}" ] && return 0
  echo "== setup: scripts/build.sh, examples/prepare_data.sh $data"
  scripts/build.sh >/dev/null
  examples/prepare_data.sh "$data" >/dev/null
}

# example_dir NAME: creates OUT/NAME and prints its path.
example_dir() {
  local dir=$examples_out/$1
  mkdir -p "$dir"
  printf '%s\n' "$dir"
}

# prog NAME: the program built from specs/NAME.rnn.
prog() {
  printf '%s\n' "$programs/$1"
}

# log_column FILE NAME: the last non-empty value of column NAME of a CSV log.
log_column() {
  awk -F, -v name="$2" '
    NR == 1 { for (i = 1; i <= NF; i++) if ($i == name) col = i; next }
    col && $col != "" { v = $col }
    END { if (v == "") exit 1; print v }' "$1"
}

# eval_field OUTPUT NAME: the value after NAME in eval's output line
# ("loss 0.31  accuracy 0.8612  examples 10000").
eval_field() {
  awk -v name="$2" '{ for (i = 1; i < NF; i++) if ($i == name) { print $(i + 1); found = 1 } }
    END { if (!found) exit 1 }' <<<"$1"
}

# result MODEL KEY VALUE: one machine-readable line, collected and printed
# again together at the end by results_print.
results=()
result() {
  results+=("RESULT $1 $2 $3")
}
results_print() {
  printf '%s\n' "${results[@]}"
}

# now: seconds since the epoch, with decimals (for wall times).
now() {
  date +%s.%N
}
elapsed() { # elapsed START: seconds since START, one decimal
  awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f\n", b - a }'
}
