#!/usr/bin/env bash
# Counts the bad-input cases whose whole message is compared with the
# expected text, by area (docs/errors.md, "Where the messages are tested"):
#
#   tests/count_error_cases.sh
#
# A case is a golden file (tests/errors/*.err: rnnc's stderr for one spec;
# tests/data_errors/*.expected: one loader message), an expect_err or
# exact of the shell tests (every line of stderr), or a call in the runtime's C tests of a
# helper that compares the whole message with strcmp (check_msg,
# check_message with a literal name, expect_load_error, expect_error).
# Checks by pattern (grep -q) are not counted.
set -euo pipefail
cd "$(dirname "$0")"

count() { # count PATTERN FILE...: lines matching the extended regex PATTERN
  local pattern=$1
  shift
  cat "$@" | grep -cE "$pattern" || true
}

compiler=$(find errors -name '*.err' | wc -l)
cli=$(count '^exact [0-9]' cli.sh)
data_golden=$(find data_errors -name '*.expected' | wc -l)
data_unit=$(count '^ *check_msg\(c, ' runtime/test_data.c)
ckpt_tests=(runtime/test_ckpt.c runtime/test_weights.c)
ckpt=$(($(count '^ *(expect_load_error|expect_error)\(x, ' "${ckpt_tests[@]}") +
  $(count '^ *check_message\(&x->tally, "' "${ckpt_tests[@]}")))
# the e2e cases: program_errors needs no prepared data, the others do
e2e_program=$(awk '/^program_errors\)/ { on = 1 } on && /^ *;;/ { on = 0 }
  on && /^ *expect_err / { n++ } END { print n + 0 }' e2e/e2e.sh)
e2e_all=$(count '^ *expect_err ' e2e/e2e.sh)
e2e_data=$((e2e_all - e2e_program))
total=$((compiler + cli + data_golden + data_unit + ckpt + e2e_program + e2e_data))

printf '%-74s %5d\n' "rnnc spec errors (tests/errors/*.err)" "$compiler" \
  "rnnc command line and files (tests/cli.sh)" "$cli" \
  "data loaders (tests/data_errors/*.expected)" "$data_golden" \
  "data loaders, unit tests (tests/runtime/test_data.c)" "$data_unit" \
  "checkpoints, parameter files (tests/runtime/test_ckpt.c, test_weights.c)" "$ckpt" \
  "programs without prepared data (e2e/e2e.sh program_errors)" "$e2e_program" \
  "programs on the prepared data (e2e/e2e.sh, other cases)" "$e2e_data" \
  "total" "$total"
