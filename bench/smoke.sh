#!/usr/bin/env bash
# A benchmark program's `bench` command runs and writes one record with the
# fields ../shared/bench/summarize.py reads (ctest -R bench/). Plain shell:
# a fresh machine need not have Python for the tests.
#
#   bench/smoke.sh PROGRAM WORK_DIR
set -euo pipefail
prog=$1
json=$2/smoke_$(basename "$prog").jsonl
rm -f "$json"
"$prog" bench --steps 2 --warmup 0 --sample-reps 1 --sample-chars 20 --threads 1 --json "$json"
fail() {
  echo "smoke: $*" >&2
  exit 1
}
[ "$(wc -l <"$json")" -eq 1 ] || fail "expected one record in $json"
record=$(cat "$json")
[[ $record == "{"*"}" ]] || fail "not one JSON object: $record"
for key in impl config threads run desc; do
  grep -Eq "\"$key\": \"[^\"]+\"" <<<"$record" || fail "no string field \"$key\""
done
for key in T B params train_step_ms_median train_timesteps_per_s infer_ms_median final_loss; do
  value=$(grep -Eo "\"$key\": [-+0-9.eE]+" <<<"$record" | sed 's/.*: //') ||
    fail "no number field \"$key\""
  awk -v v="$value" 'BEGIN { exit !(v + 0 > 0) }' || fail "\"$key\" is $value, not positive"
done
echo "ok: $(grep -Eo '"config": "[^"]+"' <<<"$record"), $(grep -Eo '"train_step_ms_median": [0-9.e+-]+' <<<"$record") ms"
