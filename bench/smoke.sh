#!/usr/bin/env bash
# A benchmark program's `bench` command runs and writes a record that
# ../shared/bench/summarize.py can read (ctest -R bench/).
#
#   bench/smoke.sh PROGRAM WORK_DIR
set -euo pipefail
prog=$1
json=$2/smoke_$(basename "$prog").jsonl
rm -f "$json"
"$prog" bench --steps 2 --warmup 0 --sample-reps 1 --sample-chars 20 --threads 1 --json "$json"
python3 - "$json" <<'PY'
import json, math, sys
recs = [json.loads(line) for line in open(sys.argv[1])]
assert len(recs) == 1, "one record per run, got %d" % len(recs)
r = recs[0]
for key in ("impl", "config", "threads", "run", "T", "B", "params"):
    assert key in r, "no %r" % key
for key in ("train_step_ms_median", "train_timesteps_per_s", "infer_ms_median", "final_loss"):
    assert math.isfinite(r[key]) and r[key] > 0, "%s = %r" % (key, r[key])
print("ok:", r["config"], "%.3f ms/step" % r["train_step_ms_median"])
PY
