#!/usr/bin/env bash
# Rewrites every NAME.out of tests/diff from `rnnc diff NAME.old.* NAME.new.*`.
#   tests/diff/regen.sh [RNNC]   (default build/rnnc); review the diff after.
set -euo pipefail
cd "$(dirname "$0")"
rnnc=$(cd ../.. && realpath "${1:-build/rnnc}")
for old in *.old.*; do
  name=${old%%.old.*}
  "$rnnc" diff "$old" "$(ls "$name".new.*)" >"$name.out" || [ $? -eq 1 ]
done
