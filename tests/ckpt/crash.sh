#!/usr/bin/env bash
# Checkpoints survive SIGKILL at any moment: starts ckpt_crash saving an
# 8 MB checkpoint in a loop, kills it with -9 after a random short sleep,
# and checks that the checkpoint, if present, loads intact (never half
# written) and that whatever the kill left behind (PATH.tmp) does not stop
# the next run from resuming and saving. 20 rounds, then one clean save.
#
#   crash.sh CKPT_CRASH WORKDIR [ROUNDS]
#
# Each run works in its own directory under WORKDIR (two runs of the test
# at once must not share a checkpoint), removed when the run passes.
set -u

bin=$1
rounds=${3:-20}
mkdir -p "$2"
dir=$(mktemp -d "$2/run.XXXXXX") || exit 1
ckpt=$dir/crash.ckpt

failed=0
tmp_left=0
fail() {
  echo "FAIL $*"
  failed=$((failed + 1))
}

for round in $(seq 1 "$rounds"); do
  "$bin" save "$ckpt" 2>"$dir/save.err" &
  pid=$!
  # 20..519 ms: from the resume load through several saves of 8 MB
  sleep "$(printf '0.%03d' $((RANDOM % 500 + 20)))"
  if ! kill -0 "$pid" 2>/dev/null; then
    wait "$pid"
    fail "round $round: the saver stopped before the kill (status $?): $(cat "$dir/save.err")"
    continue
  fi
  kill -KILL "$pid"
  wait "$pid" 2>/dev/null
  left=""
  if [ -e "$ckpt.tmp" ] || [ -e "$ckpt.yaml.tmp" ]; then
    tmp_left=$((tmp_left + 1))
    left=" (a .tmp was left)"
  fi
  if out=$("$bin" check "$ckpt" 2>&1); then
    echo "ok   round $round: killed; $out$left"
  else
    fail "round $round: $out"
  fi
done

if out=$("$bin" once "$ckpt" 2>&1) && out=$("$bin" check "$ckpt" 2>&1); then
  echo "ok   a clean save after the kills: $out"
else
  fail "a clean save after the kills: $out"
fi
leftovers=$(cd "$dir" && ls -- *.tmp 2>/dev/null)
if [ -n "$leftovers" ]; then
  fail "files left after a clean save: $leftovers"
else
  echo "ok   no .tmp left after a clean save"
fi

echo "$rounds kills, $tmp_left of them left a .tmp behind (mid-save)"
echo "$((rounds + 2 - failed)) passed, $failed failed"
if [ "$failed" -ne 0 ]; then
  echo "files kept in $dir"
  exit 1
fi
rm -rf "$dir"
