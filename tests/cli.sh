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

# -0 and 0 are the same number: same canonical form, same hash.
printf 'model z {\n input { features 2 length 3 }\n simple_rnn r { units 2 dropout 0 }\n}\n' >"$work/zero.rnn"
printf 'model z {\n input { features 2 length 3 }\n simple_rnn r { units 2 dropout -0 }\n}\n' >"$work/negzero.rnn"
if [ "$("$rnnc" yaml "$work/zero.rnn")" = "$("$rnnc" yaml "$work/negzero.rnn")" ]; then
  pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: -0 and 0 differ in canonical form"; fi

# A quoted boolean is accepted, as quoted names are (YAML users quote).
printf 'model q:\n  input: {features: 2, length: 3}\n  layers:\n    - lstm l: {units: 2, return_sequences: "true"}\n' >"$work/quoted.yaml"
expect 0 "quoted boolean" -- "$rnnc" check "$work/quoted.yaml"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
