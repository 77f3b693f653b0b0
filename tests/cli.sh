#!/usr/bin/env bash
# The rnnc command's contract: help, version, usage errors (exit 2), spec
# errors (exit 1), and output that does not depend on the run.
#   tests/cli.sh RNNC SPECS_DIR WORK_DIR
set -u
rnnc=$1 specs=$2 work=$3
mkdir -p "$work"
pass=0 fail=0

# expect CODE DESCRIPTION -- COMMAND...: exit status CODE, stderr/stdout kept
expect() {
  local code=$1 what=$2
  shift 3
  "$@" >"$work/out" 2>"$work/err"
  local got=$?
  if [ "$got" -eq "$code" ]; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    echo "FAIL: $what: exit $got, expected $code"
    cat "$work/err"
  fi
}

# grep_in FILE PATTERN DESCRIPTION
grep_in() {
  if grep -q -- "$2" "$work/$1"; then pass=$((pass + 1)); else
    fail=$((fail + 1)); echo "FAIL: $3: '$2' not in $1:"; cat "$work/$1"; fi
}

expect 0 "--help" -- "$rnnc" --help
grep_in out "usage: rnnc COMMAND SPEC" "--help prints usage"
expect 0 "--version" -- "$rnnc" --version
grep_in out "^rnnc [0-9]" "--version prints the version"
expect 2 "no arguments" -- "$rnnc"
grep_in err "missing command" "no arguments says so"
expect 2 "unknown command" -- "$rnnc" frobnicate x.rnn
grep_in err "unknown command 'frobnicate'" "unknown command named"
expect 2 "misspelled command" -- "$rnnc" chek x.rnn
grep_in err "did you mean 'check'" "misspelled command gets a suggestion"
expect 2 "command without spec" -- "$rnnc" check
grep_in err "'check' needs a SPEC file" "missing spec named"
expect 2 "extra argument" -- "$rnnc" check "$specs/chargen.rnn" extra
grep_in err "unexpected argument 'extra'" "extra argument named"
expect 1 "missing spec file" -- "$rnnc" check "$work/no-such.rnn"
grep_in err "no-such.rnn" "missing file named"
expect 1 "directory as spec" -- "$rnnc" stats "$specs"
grep_in err "is a directory" "directory refused"

for spec in "$specs"/*.rnn "$specs"/*.yaml; do
  expect 0 "check $spec" -- "$rnnc" check "$spec"
  grep_in out ": ok: model " "check $spec reports ok"
  for cmd in yaml stats ir; do
    expect 0 "$cmd $spec" -- "$rnnc" "$cmd" "$spec"
    cp "$work/out" "$work/first"
    "$rnnc" "$cmd" "$spec" >"$work/second" 2>/dev/null
    if cmp -s "$work/first" "$work/second"; then pass=$((pass + 1)); else
      fail=$((fail + 1)); echo "FAIL: $cmd $spec is not deterministic"; fi
  done
done

# The same model in both forms has the same spec hash.
for y in "$specs"/*.yaml; do
  r=${y%.yaml}.rnn
  [ -f "$r" ] || continue
  hy=$("$rnnc" stats "$y" | head -1) hr=$("$rnnc" stats "$r" | head -1)
  if [ "$hy" = "$hr" ]; then pass=$((pass + 1)); else
    fail=$((fail + 1)); echo "FAIL: hash differs: $hy vs $hr"; fi
done

# ---- rnnc emit ----
emit_dir="$work/emit"
rm -rf "$emit_dir" && mkdir -p "$emit_dir"
expect 0 "emit chargen" -- "$rnnc" emit "$specs/chargen.rnn" -o "$emit_dir"
for f in chargen.h chargen.c chargen_main.c; do
  if [ -s "$emit_dir/$f" ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: emit wrote no $f"; fi
done
if [ ! -s "$work/out" ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: emit printed to stdout"; fi
if ls -A "$emit_dir" | grep -q '\.tmp$'; then fail=$((fail + 1)); echo "FAIL: emit left a temporary file"; else pass=$((pass + 1)); fi

# Unrolling T=100000 is refused, naming the limit and the flag that raises it.
printf 'model huge {\n input { features 1 length 100000 }\n simple_rnn r { units 2 }\n}\n' >"$work/huge.rnn"
rm -rf "$emit_dir" && mkdir -p "$emit_dir"
expect 1 "emit over the unroll limit" -- "$rnnc" emit "$work/huge.rnn" -o "$emit_dir"
grep_in err "unrolls to 100000 layer-timesteps" "unroll limit names the count"
grep_in err "the limit is 20000" "unroll limit names the limit"
grep_in err "\-\-max-unroll 100000" "unroll limit names the flag"
if [ -z "$(ls -A "$emit_dir")" ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: refused emit left files"; fi
expect 0 "emit with a raised limit" -- "$rnnc" emit "$work/huge.rnn" -o "$emit_dir" --max-unroll 100000

# A spec that fails to check writes nothing.
printf 'model bad {\n input { features 1 length 3 }\n simple_rnn r { units 0 }\n}\n' >"$work/bad.rnn"
rm -rf "$emit_dir" && mkdir -p "$emit_dir"
expect 1 "emit of a bad spec" -- "$rnnc" emit "$work/bad.rnn" -o "$emit_dir"
if [ -z "$(ls -A "$emit_dir")" ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: bad spec left files"; fi

# Output directory: missing (created, as mkdir -p), not a directory, not
# writable; a bad spec creates none.
rm -rf "$work/no"
expect 0 "emit to a missing directory" -- "$rnnc" emit "$specs/chargen.rnn" -o "$work/no/such/dir"
if [ -f "$work/no/such/dir/chargen.c" ]; then pass=$((pass + 1)); else
  fail=$((fail + 1)); echo "FAIL: emit did not create its output directory"; fi
rm -rf "$work/no"
expect 1 "emit of a bad spec to a missing directory" -- "$rnnc" emit "$work/bad.rnn" -o "$work/no/dir"
if [ ! -e "$work/no" ]; then pass=$((pass + 1)); else
  fail=$((fail + 1)); echo "FAIL: a bad spec created the output directory"; fi
expect 1 "emit under a file" -- "$rnnc" emit "$specs/chargen.rnn" -o "$specs/chargen.rnn/x"
grep_in err "output directory" "a path under a file named"
expect 1 "emit to a file" -- "$rnnc" emit "$specs/chargen.rnn" -o "$specs/chargen.rnn"
grep_in err "is not a directory" "file as directory refused"
ro="$work/readonly"
rm -rf "$ro" && mkdir -p "$ro" && chmod 555 "$ro"
if [ "$(id -u)" -ne 0 ]; then  # root writes anywhere; the check is for users
  expect 1 "emit to a read-only directory" -- "$rnnc" emit "$specs/chargen.rnn" -o "$ro"
  grep_in err "not writable" "read-only directory named"
fi
chmod 755 "$ro"

# Usage errors.
expect 2 "emit without -o" -- "$rnnc" emit "$specs/chargen.rnn"
grep_in err "needs an output directory" "missing -o explained"
expect 2 "emit -o without a value" -- "$rnnc" emit "$specs/chargen.rnn" -o
expect 2 "emit with a bad --max-unroll" -- "$rnnc" emit "$specs/chargen.rnn" -o "$work" --max-unroll 0
grep_in err "positive whole number" "bad --max-unroll explained"

# -0 and 0 are the same number: same canonical form, same hash.
printf 'model z {\n input { features 2 length 3 }\n simple_rnn r { units 2 dropout 0 }\n}\n' >"$work/zero.rnn"
printf 'model z {\n input { features 2 length 3 }\n simple_rnn r { units 2 dropout -0 }\n}\n' >"$work/negzero.rnn"
if [ "$("$rnnc" yaml "$work/zero.rnn")" = "$("$rnnc" yaml "$work/negzero.rnn")" ]; then
  pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: -0 and 0 differ in canonical form"; fi

# A quoted boolean is accepted, as quoted names are (YAML users quote).
printf 'model q:\n  input: {features: 2, length: 3}\n  layers:\n    - lstm l: {units: 2, return_sequences: "true"}\n' >"$work/quoted.yaml"
expect 0 "quoted boolean" -- "$rnnc" check "$work/quoted.yaml"

# rnnc diff: exit 0 same, 1 different (or a bad spec), 2 usage; --c's
# hunks name only the layers that changed.
expect 2 "diff with one spec" -- "$rnnc" diff "$specs/series.rnn"
grep_in err "'diff' needs two specs" "diff's usage named"
expect 2 "diff with an unknown option" -- "$rnnc" diff "$specs/series.rnn" "$specs/series.rnn" --x
expect 0 "diff of a spec with itself" -- "$rnnc" diff "$specs/series.rnn" "$specs/series.rnn"
expect 1 "diff against a bad spec" -- "$rnnc" diff "$specs/series.rnn" "$work/bad.rnn"
grep_in err "bad.rnn:" "the bad spec's error printed"
sed 's/units 32/units 48/' "$specs/sentiment_stacked.rnn" >"$work/wider.rnn"
mkdir -p "$work/tmp"
TMPDIR=$work/tmp expect 1 "diff --c" -- "$rnnc" diff "$specs/sentiment_stacked.rnn" "$work/wider.rnn" --c
grep_in out "^+++ b/sentiment_stacked.c" "diff --c shows the generated C"
if awk '/^@@/ { if (h && !hit) bad = 1; h = 1; hit = 0; next }
        h && /^[-+][^-+]/ && tolower($0) ~ /rnn[23]/ { hit = 1 }
        /hunks? shown/ { if (h && !hit) bad = 1; h = 0 }
        END { exit bad }' "$work/out"; then
  pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: a diff --c hunk names neither rnn2 nor rnn3"; fi
grep_in out "outside the changed layers not shown" "diff --c counts the hunks it leaves out"
[ -z "$(ls "$work/tmp")" ] && pass=$((pass + 1)) ||
  { fail=$((fail + 1)); echo "FAIL: diff --c left its temporary directories"; }

# The exact words: exit status, every line of stderr, nothing on stdout
# (docs/errors.md, "rnnc").
# exact CODE LINE...: runs "${cmd[@]}"; stderr must be the LINEs
exact() {
  local code=$1
  shift
  "${cmd[@]}" >"$work/out" 2>"$work/err"
  local got=$?
  if [ "$got" -eq "$code" ] && [ "$(cat "$work/err")" == "$(printf '%s\n' "$@")" ] &&
    [ ! -s "$work/out" ]; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    echo "FAIL: ${cmd[*]}: exit $got (expected $code), stderr (- expected, + got):"
    diff -u <(printf '%s\n' "$@") "$work/err" | tail -n +3
  fi
}
spec=$specs/chargen.rnn
cmd=("$rnnc")
exact 2 "rnnc: missing command" "try 'rnnc --help'"
cmd=("$rnnc" frobnicate "$spec")
exact 2 "rnnc: unknown command 'frobnicate'" "try 'rnnc --help'"
cmd=("$rnnc" chek "$spec")
exact 2 "rnnc: unknown command 'chek'; did you mean 'check'?"
cmd=("$rnnc" check)
exact 2 "rnnc: 'check' needs a SPEC file" "try 'rnnc --help'"
cmd=("$rnnc" check "$spec" extra)
exact 2 "rnnc: unexpected argument 'extra'" "try 'rnnc --help'"
cmd=("$rnnc" emit "$spec")
exact 2 "rnnc: 'emit' needs an output directory: rnnc emit SPEC -o DIR" "try 'rnnc --help'"
cmd=("$rnnc" emit "$spec" -o)
exact 2 "rnnc: '-o' needs a value" "try 'rnnc --help'"
cmd=("$rnnc" emit "$spec" -o "$emit_dir" --max-unroll 0)
exact 2 "rnnc: --max-unroll takes a positive whole number, not '0'" "try 'rnnc --help'"
cmd=("$rnnc" emit "$spec" -o "$emit_dir" --bogus)
exact 2 "rnnc: unexpected argument '--bogus'" "try 'rnnc --help'"
cmd=("$rnnc" diff "$spec")
exact 2 "rnnc: 'diff' needs two specs: rnnc diff OLD NEW [--c]" "try 'rnnc --help'"
cmd=("$rnnc" diff "$spec" "$spec" --x)
exact 2 "rnnc: unexpected argument '--x'" "try 'rnnc --help'"
cmd=("$rnnc" check "$work/no-such.rnn")
exact 1 "$work/no-such.rnn: error: cannot open '$work/no-such.rnn': No such file or directory"
cmd=("$rnnc" stats "$specs")
exact 1 "$specs: error: '$specs' is a directory, not a spec file"
cmd=("$rnnc" emit "$work/huge.rnn" -o "$emit_dir")
exact 1 "rnnc: error: model 'huge' unrolls to 100000 layer-timesteps (100000 steps x 1 recurrent layers); the limit is 20000" \
  "  hint: generated code grows with every unrolled step; raise the limit with --max-unroll 100000 if you mean it"
cmd=("$rnnc" emit "$spec" -o "$spec")
exact 1 "rnnc: error: '$spec' is not a directory"
cmd=("$rnnc" emit "$spec" -o "$spec/x")
exact 1 "rnnc: error: output directory '$spec/x': Not a directory"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
