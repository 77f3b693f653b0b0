#!/usr/bin/env bash
# Regenerates every golden .err file in tests/errors/ from the current rnnc.
#
#   tests/errors/regen.sh [path/to/rnnc]      (default: build/rnnc)
#
# For intentional message changes only: run it, then review `git diff
# tests/errors/` line by line before committing. Each case must still fail
# with exit status 1; a case that passes or crashes is reported and its .err
# is left alone.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
rnnc=${1:-$here/../../build/rnnc}
rnnc=$(cd "$(dirname "$rnnc")" && pwd)/$(basename "$rnnc")
if [ ! -x "$rnnc" ]; then
  echo "regen.sh: no rnnc at $rnnc (build first, or pass its path)" >&2
  exit 2
fi
cd "$here"
status=0
count=0
shopt -s nullglob
for spec in *.rnn *.yaml; do
  name=${spec%.*}
  "$rnnc" check "$spec" >/dev/null 2>"$name.err.new"
  rc=$?
  if [ "$rc" -ne 1 ]; then
    echo "regen.sh: $spec: exit status $rc, expected 1; $name.err not changed" >&2
    rm -f "$name.err.new"
    status=1
    continue
  fi
  mv "$name.err.new" "$name.err"
  count=$((count + 1))
done
echo "regen.sh: wrote $count .err files"
exit $status
