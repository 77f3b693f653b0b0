# Helpers of the shell tests (tests/e2e/e2e.sh, tests/mpi/mpi.sh): checks
# that count passes and failures, running a command into NAME.out/NAME.err,
# reading CSV logs. Sourced; the caller sets case_name and ends with
#
#   [ "$reached_end" = 1 ] || fail "the case stopped before its end"
#   echo "$case_name: $pass passed, $failed failed"; [ "$failed" -eq 0 ]

pass=0 failed=0 reached_end=0
ok() { pass=$((pass + 1)); }
fail() {
  failed=$((failed + 1))
  echo "FAIL [$case_name]: $*"
}
check() { # check DESCRIPTION COMMAND...: passes when COMMAND succeeds
  local what=$1
  shift
  if "$@"; then ok; else fail "$what"; fi
}
# num_check DESCRIPTION AWK_CONDITION [NAME=VALUE...]: a numeric condition
num_check() {
  local what=$1 cond=$2
  shift 2
  local vars=()
  for kv in "$@"; do vars+=(-v "$kv"); done
  if awk "${vars[@]}" "BEGIN { exit !($cond) }"; then ok; else
    fail "$what ($cond with $*)"; fi
}
# run CODE NAME COMMAND...: runs COMMAND with stdout in NAME.out, stderr in
# NAME.err and checks its exit status is CODE
run() {
  local code=$1 name=$2
  shift 2
  "$@" >"$name.out" 2>"$name.err"
  local got=$?
  if [ "$got" -eq "$code" ]; then ok; else
    fail "$name: exit $got, expected $code: $*"
    sed 's/^/    /' "$name.err" | tail -n 20
  fi
}
# expect_err NAME LINE...: NAME.err is exactly these lines
expect_err() {
  local name=$1
  shift
  if [ "$(cat "$name.err")" == "$(printf '%s\n' "$@")" ]; then ok; else
    fail "$name: stderr differs"
    diff -u <(printf '%s\n' "$@") "$name.err" | sed 's/^/    /'
  fi
}
# result FILE MODEL KEY: the value of "RESULT MODEL KEY VALUE" in FILE
result() {
  awk -v m="$2" -v k="$3" '$1 == "RESULT" && $2 == m && $3 == k { v = $4 }
    END { if (v == "") exit 1; print v }' "$1"
}
# column FILE NAME ROW: the value of column NAME in data row ROW (1 = first,
# -1 = last) of a CSV log
column() {
  awk -F, -v name="$2" -v row="$3" '
    NR == 1 { for (i = 1; i <= NF; i++) if ($i == name) col = i; next }
    { v[NR - 1] = $col }
    END { r = row < 0 ? NR - 1 : row; if (!col || !(r in v)) exit 1; print v[r] }' "$1"
}
# file_ok PATH: exists and is not empty
file_ok() { check "$1 exists and is not empty" test -s "$1"; }
svg_ok() {
  file_ok "$1"
  check "$1 is a whole SVG" grep -q '</svg>' "$1"
}
# loss_falls LOG COLUMN: the last logged value is below the first
loss_falls() {
  local first last
  if ! first=$(column "$1" "$2" 1) || ! last=$(column "$1" "$2" -1); then
    fail "$1: no column $2"
    return
  fi
  num_check "$1: $2 falls" "last < first" "first=$first" "last=$last"
}

