#!/usr/bin/env bash
# docs/embedding.md, run as written: every ```sh block in order, as one
# bash script with -eu and pipefail, from a directory laid out like the
# clone the guide starts in (the source tree's entries, with build/ the
# build under test), HOME an empty directory. The one line not run is
# `scripts/build.sh`: it built the tree under test. Then every ```c block
# must appear word for word in examples/embed/forecast.c, and the results
# are checked: forecast's predictions equal `series predict`'s for the
# same weights, from both builds (CMake + parameter file, make +
# checkpoint), and neither executable links libyaml or zlib.
#
#   doc.sh BUILD_DIR SOURCE_DIR WORK_DIR
set -euo pipefail
build=$(cd "$1" && pwd) src=$(cd "$2" && pwd) work=$3
rm -rf "$work"
mkdir -p "$work/clone" "$work/home"
work=$(cd "$work" && pwd)
doc=$src/docs/embedding.md
fail() { echo "FAIL: $*" >&2; exit 1; }

for entry in "$src"/*; do
  [ "$(basename "$entry")" = build ] || ln -s "$entry" "$work/clone/"
done
ln -s "$build" "$work/clone/build"

# blocks BEGIN_FENCE: the lines of every block that opens with BEGIN_FENCE,
# each block followed by a line "@@END".
blocks() {
  awk -v fence="$1" '$0 == fence { inside = 1; next }
    inside && /^```/ { inside = 0; print "@@END"; next }
    inside { print }' "$doc"
}

script=$work/guide.sh
{ echo "set -euo pipefail"; echo "set -x"
  blocks '```sh' | grep -v '^@@END$' | grep -v '^scripts/build.sh'; } >"$script"
n_commands=$(grep -vc '^set ' "$script")
[ "$n_commands" -ge 15 ] || fail "only $n_commands lines of commands in $doc"
echo "== running $n_commands lines of $doc (HOME=$work/home)"
(cd "$work/clone" && HOME=$work/home PATH=$PATH bash "$script") >"$work/guide.log" 2>&1 ||
  { tail -n 30 "$work/guide.log"; fail "a command of $doc failed (log: $work/guide.log)"; }

echo "== the C of section 4 is forecast.c's"
n_c=0
while IFS= read -r -d $'\x01' block; do
  [ -n "$block" ] || continue
  n_c=$((n_c + 1))
  python3 - "$src/examples/embed/forecast.c" "$block" <<'PY' || fail "C block $n_c is not in forecast.c"
import sys
source, block = open(sys.argv[1]).read(), sys.argv[2].strip("\n")
sys.exit(0 if block in source else 1)
PY
done < <(blocks '```c' | awk '$0 == "@@END" { printf "\001"; next } { print }')
[ "$n_c" -ge 3 ] || fail "only $n_c C blocks in $doc"

echo "== results"
home=$work/home/forecast
data=$build/data
"$build/programs/series" predict "$data/series_test.csv" --checkpoint "$home/series.ckpt" \
  >"$work/program.txt"
"$home/build/forecast" "$home/series.params" "$data/series_test.csv" "$work/cmake.txt" \
  >"$work/cmake.out"
"$home/src/forecast" "$home/series.ckpt" "$data/series_test.csv" "$work/make.txt" >"$work/make.out"
for b in cmake make; do
  [ "$(wc -l <"$work/$b.txt")" = "$(wc -l <"$work/program.txt")" ] ||
    fail "$b: $(wc -l <"$work/$b.txt") predictions, series predict made $(wc -l <"$work/program.txt")"
  paste "$work/program.txt" "$work/$b.txt" | awk -v b="$b" '
    { d = $1 - $2; if (d < 0) d = -d; s = $1 < 0 ? -$1 : $1; if (d > 1e-5 * (1 + s)) bad++ }
    END { if (bad) { print "FAIL: " b ": " bad " predictions differ from series predict"; exit 1 } }'
  awk '$1 == "RESULT" && $3 == "stream_max_diff" { exit !($4 < 1e-4) }' "$work/$b.out" ||
    fail "$b: the step function disagrees with the forward pass: $(grep stream_max "$work/$b.out")"
done
for exe in "$home/build/forecast" "$home/src/forecast"; do
  ! readelf -d "$exe" | grep -Eq 'libyaml|libz\.' || fail "$exe links libyaml or zlib"
done
tail -n 2 "$work/cmake.out"

echo "== make emits the model again when the spec changes, and only then"
mk="$work/home/forecast/src"
export PKG_CONFIG_PATH=$work/home/.local/lib/pkgconfig PATH=$work/home/.local/bin:$PATH
cp "$src/specs/series.rnn" "$work/series.rnn"
touch -d '-2 minutes' "$mk/gen/series.c"
touch -d '-1 minute' "$work/series.rnn"
make -C "$mk" SPEC="$work/series.rnn" >"$work/make1.log"
make -C "$mk" SPEC="$work/series.rnn" >"$work/make2.log"
sleep 1
touch "$work/series.rnn"
make -C "$mk" SPEC="$work/series.rnn" >"$work/make3.log"
grep -q 'rnnc emit' "$work/make1.log" || fail "a newer spec was not emitted again"
! grep -q 'rnnc emit' "$work/make2.log" || fail "an unchanged spec was emitted again"
grep -q 'rnnc emit' "$work/make3.log" || fail "a touched spec was not emitted again"

echo "== the loader's errors, from forecast"
"$build/programs/chargen" train "$data/fortunes.txt" --steps 1 --quiet \
  --checkpoint "$work/chargen.ckpt" >/dev/null
if "$home/build/forecast" "$work/chargen.ckpt" "$data/series_test.csv" 2>"$work/other.err"; then
  fail "forecast loaded chargen's checkpoint"
fi
grep -q "this checkpoint is for model 'chargen', not 'series'" "$work/other.err" ||
  fail "another model's weights: $(cat "$work/other.err")"
head -c 2048 "$home/series.params" >"$work/cut.params"
if "$home/build/forecast" "$work/cut.params" "$data/series_test.csv" 2>"$work/cut.err"; then
  fail "forecast loaded a truncated parameter file"
fi
grep -q "ends at byte 2048 inside section PARM .*the file is truncated" "$work/cut.err" ||
  fail "a truncated file: $(cat "$work/cut.err")"
echo "ok"
