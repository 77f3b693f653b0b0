#!/usr/bin/env bash
# Every file rnnc and a training run write is whole after a SIGKILL: the
# old file or the new one, byte for byte, never part of one. crash_kill
# kills the writer at a moment drawn from the write times a first,
# uninterrupted run measured (as in crash.sh).
#
# emit: `rnnc emit` of specs/sentiment_stacked.rnn (a 520 kB NAME.c) into
# one directory, alternating with a variant of it (rnn3 of 17 units), so
# the old files are always one spec's and the new ones the other's. 7 in 8
# kills land 0..W us after .NAME.h.tmp appears (W: the median time from
# it to the last rename), the others 0..T us after the start (T: the time
# to the first temporary file; emit is still generating). Each of NAME.h,
# NAME.c, NAME_main.c must be byte-identical to one of the two specs'
# (a kill between the renames leaves some files the old spec's and some
# the new one's: counted and printed, not a failure, see docs/program.md).
#
# training: `crash_small train --eval-every 1 --log --plot`, from nothing
# or resuming its last checkpoint, killed 0..W us after the n-th plot.svg.tmp
# appears (n 1..3; W its median life) or, one round in four, 0..P us (P
# the time between two plots). After each kill:
#   - plot.svg is byte for byte the old one or a new one: the plot an
#     uninterrupted run from the same checkpoint writes after the last
#     step the killed run logged, or the step before (the plot comes after
#     its row); the step before when the kill cut the plot's write
#   - the log: the rows it held before the run, unchanged, then whole rows
#     the run appended, consecutive from the checkpoint's step + 1, equal
#     to the uninterrupted run's but for the seconds. The log is appended
#     by write(2) of one row at a time: a kill cannot cut a row short
#     except between the pages of one write, which no kill here hits; a
#     full disk can. So one resumed round in two whose log ends with a row
#     past the checkpoint (the killed run logged it and died before that
#     step's checkpoint) has that row cut in half first, as such a kill or a
#     full disk would leave it: the resumed run must drop it and log the
#     step again on a line of its own
#   - the checkpoint loads (`info`) and holds the last step logged or the
#     one before, the one before when the kill cut its write
# Fails when fewer than a quarter of the kills of either part landed while
# a temporary file was being written (the plot's, for training), or on any
# check above. Three runs here (2 shared cores, beside crash.sh): emit 47,
# 41 and 48 kills of 100 inside the writes, training 69, 65 and 52 inside
# the plot's; 17-18 s each.
#
#   outputs.sh CRASH_KILL CRASH_SMALL RNNC SOURCE_DIR WORKDIR [ROUNDS]   (100 each)
#
# CRASH_SEED=N repeats a run's kill times. Each run works in its own
# directory under WORKDIR, removed when the run passes.
set -u

killer=$(realpath "$1") prog=$(realpath "$2") rnnc=$(realpath "$3") src=$(realpath "$4")
rounds=${6:-100}
mkdir -p "$5"
dir=$(mktemp -d "$5/run.XXXXXX") || exit 1
cd "$dir" || exit 1
seed=${CRASH_SEED:-$((RANDOM * 32768 + RANDOM))}
RANDOM=$seed
start_time=$SECONDS
failed=0
fail() {
  echo "FAIL $*"
  failed=$((failed + 1))
}
random_below() { echo $(((RANDOM * 32768 + RANDOM) % $1)); }
median() { sort -n | awk '{ v[NR] = $1 } END { print NR ? v[int((NR + 1) / 2)] : 0 }'; }

# -- emit ---------------------------------------------------------------------
model=sentiment_stacked
files=("$model.h" "$model.c" "${model}_main.c")
mkdir a b ref_a ref_b out
cp "$src/specs/$model.rnn" a/
sed 's/units 16/units 17/' "$src/specs/$model.rnn" >b/$model.rnn
for v in a b; do
  "$rnnc" emit $v/$model.rnn -o ref_$v || { echo "FAIL emit $v/$model.rnn"; exit 1; }
done
for f in "${files[@]}"; do
  cmp -s "ref_a/$f" "ref_b/$f" && { echo "FAIL the two specs give the same $f"; exit 1; }
done
for i in 1 2 3 4 5; do
  "$killer" out none 1 -1 60000 "$rnnc" emit a/$model.rnn -o out >emit_calib.out 2>&1
  awk '$1 == "tmp" { if (!n++) first = $3; if ($4 > last) last = $4 }
       END { print first, last - first }' emit_calib.out
done >emit_times
T=$(awk '{ print $1 }' emit_times | median)
W=$(awk '{ print $2 }' emit_times | median)
[ "$W" -gt 0 ] || W=200 # renamed within the same wake-up: a fraction of a ms
[ "$T" -gt 0 ] || T=1000
cp ref_a/* out/ # the old files of round 1
echo "emit: measured: the first temporary file ${T} us after the start, the last renamed ${W} us after it (seed $seed)"

which_version() { # which_version FILE: a, b, or nothing when it is neither
  local f=$1
  if cmp -s "out/$f" "ref_a/$f"; then echo a; elif cmp -s "out/$f" "ref_b/$f"; then echo b; fi
}
emit_mid=0 emit_mixed=0 emit_done=0
version=a
for round in $(seq 1 "$rounds"); do
  version=$([ "$version" = a ] && echo b || echo a)
  if [ $((round % 8)) -eq 0 ]; then
    trigger=none n=0 delay=$(random_below "$T")
  else
    trigger=.$model.h.tmp n=1 delay=$(random_below "$W")
  fi
  out=$("$killer" out "$trigger" "$n" "$delay" 20000 "$rnnc" emit $version/$model.rnn -o out 2>emit.err)
  what="emit round $round ($version, $out)"
  case $out in
    killed*) ;;
    "exited 0"*) emit_done=$((emit_done + 1)) ;;
    *) fail "$what: $(cat emit.err)"; continue ;;
  esac
  [[ ${out#*; live} == *.tmp* ]] && emit_mid=$((emit_mid + 1))
  got=""
  for f in "${files[@]}"; do
    v=$(which_version "$f")
    [ -n "$v" ] || fail "$what: $f is neither spec's: $(wc -c <"out/$f") bytes"
    got+=$v
  done
  [ "$got" = aaa ] || [ "$got" = bbb ] || emit_mixed=$((emit_mixed + 1))
  [[ $out != "exited 0"* ]] || [ "$got" = "$version$version$version" ] ||
    fail "$what: emit finished, yet the files are '$got'"
  echo "ok   $what: files $got"
done
echo "emit: $rounds kills, $emit_mid while a temporary file was written, $emit_done after emit" \
  "had finished; after $emit_mixed the three files were not all one spec's (a kill between" \
  "two renames leaves them so until the next emit)"
[ $((emit_mid * 4)) -ge "$rounds" ] ||
  fail "emit: only $emit_mid of $rounds kills while a temporary file was written: fewer than a quarter"

# -- training: the plot and the log --------------------------------------------
name=$(basename "$prog")
ck=$name.ckpt
seq 1 5000 >train.txt
mkdir run ref calib
args=(--eval-every 1 --checkpoint "$ck" --log log.csv --plot plot.svg --quiet --threads 1)

(cd calib && "$killer" . none 1 -1 60000 "$prog" train ../train.txt --steps 8 "${args[@]}") \
  >calib.out 2>&1
grep -q '^exited 0;' calib.out || { fail "the measuring run: $(cat calib.out)"; exit 1; }
W=$(awk '$1 == "tmp" && $2 == "plot.svg.tmp" { print $4 - $3 }' calib.out | median)
P=$(awk '$1 == "tmp" && $2 == "plot.svg.tmp" { if (n++) print $3 - last; last = $3 }' calib.out | median)
[ "$W" -gt 0 ] || W=200
[ "$P" -gt 0 ] || P=5000
echo "training: measured: plot.svg.tmp lives ${W} us, a plot every ${P} us"

# Every line of LOG whole: the header, then rows of 9 fields of numbers.
check_log() {
  awk -F, '
    NR == 1 { if ($0 != "step,epoch,lr,train_loss,valid_loss,valid_accuracy,grad_norm,seconds,skipped")
                { print "line 1 is not the header: " $0; exit } next }
    NF != 9 || $1 !~ /^[0-9]+$/ || $2 !~ /^[0-9]+$/ || $9 !~ /^[0-9]+$/ { print "line " NR " is not a whole row: " $0; exit }
    { for (i = 3; i <= 8; i++) if ($i !~ /^(-?[0-9.]+(e[-+][0-9]+)?|-?inf)?$/) { print "line " NR " field " i ": " $i; exit } }' "$1"
}
# Lines FROM.. of a log without the seconds column.
rows_from() { awk -F, -v OFS=, -v from="$2" 'NR >= from { $8 = ""; print }' "$1"; }

# Whether files A and B are the same bytes, or both absent (no plot yet).
same() { if [ -e "$1" ]; then cmp -s "$1" "$2"; else [ ! -e "$2" ]; fi; }

# reference STEPS FROM: an uninterrupted run from the checkpoint of step
# FROM (ck_before; 0: from nothing) to step STEPS, in ref/.
reference() {
  rm -f ref/*
  local resume=()
  if [ "$2" -gt 0 ]; then cp ck_before "ref/$ck"; resume=(--resume); fi
  (cd ref && "$prog" train ../train.txt --steps "$1" "${args[@]}" "${resume[@]}") 2>ref.err
}

plot_mid=0 ckpt_mid=0 torn=0 resumes=0 cut_rows=0
step=0 # the checkpoint's step, as the last round found it
for round in $(seq 1 "$rounds"); do
  resume=()
  from=0
  if [ -e "run/$ck" ] && [ $((round % 3)) -ne 1 ]; then
    resume=(--resume)
    from=$step
    cp "run/$ck" ck_before
  else # from nothing; the old plot stays
    rm -f "run/$ck" "run/$ck.yaml" run/log.csv
  fi
  # A last row past the checkpoint, cut in half (see the top).
  cut=0
  if [ -n "${resume[*]}" ] && [ $((RANDOM % 2)) -eq 0 ] &&
    [ "$(tail -n 1 run/log.csv | cut -d, -f1)" = $((from + 1)) ]; then
    last_row=$(tail -n 1 run/log.csv)
    size=$(wc -c <run/log.csv)
    truncate -s $((size - 1 - ${#last_row} / 2)) run/log.csv
    cut=1
    cut_rows=$((cut_rows + 1))
  fi
  [ -e run/plot.svg ] && cp run/plot.svg old.svg || rm -f old.svg
  kept_lines=0
  if [ -e run/log.csv ]; then
    kept_lines=$(wc -l <run/log.csv) # whole lines: a cut row has no newline
    head -n "$kept_lines" run/log.csv >old.log
  fi
  if [ $((round % 4)) -eq 0 ]; then
    mode=cycle n=1 delay=$(random_below "$P")
  else
    mode=plot n=$((1 + RANDOM % 3)) delay=$(random_below "$W")
  fi
  out=$(cd run && "$killer" . plot.svg.tmp "$n" "$delay" 20000 "$prog" train ../train.txt \
    --steps 1000000 "${args[@]}" "${resume[@]}" 2>../train.err)
  what="training round $round ($mode, from step $from$([ $cut = 1 ] && echo ", its last row cut"), $out)"
  case $out in
    killed*) ;;
    *) fail "$what: not killed: $(cat train.err)"; continue ;;
  esac
  in_plot=0 in_ckpt=0
  [[ " ${out#*; live} " == *" plot.svg.tmp "* ]] && in_plot=1 plot_mid=$((plot_mid + 1))
  [[ " ${out#*; live} " == *" $ck.tmp "* ]] && in_ckpt=1 ckpt_mid=$((ckpt_mid + 1))

  # The log: the old lines, then this run's rows, whole.
  bad=$(check_log run/log.csv)
  [ -z "$bad" ] || fail "$what: log: $bad"
  if [ "$kept_lines" -gt 0 ] && ! head -n "$kept_lines" run/log.csv | cmp -s - old.log; then
    fail "$what: the rows the log held before the run changed"
  fi
  first=$((kept_lines > 0 ? kept_lines + 1 : 2))
  last=$(tail -n 1 run/log.csv | cut -d, -f1)
  if [ "$(rows_from run/log.csv "$first" | cut -d, -f1 | tr '\n' ' ')" != \
    "$(seq $((from + 1)) "$last" | tr '\n' ' ')" ]; then
    fail "$what: the run logged steps $(rows_from run/log.csv "$first" | cut -d, -f1 | tr '\n' ' '), not $((from + 1))..$last"
    continue
  fi
  [ "$from" -gt 0 ] && resumes=$((resumes + 1))
  [ "$cut" = 1 ] && torn=$((torn + 1))

  # What an uninterrupted run writes: rows and plots.
  if ! reference "$last" "$from"; then
    fail "$what: the reference run: $(cat ref.err)"
    continue
  fi
  rows_from ref/log.csv 2 >ref_rows
  rows_from run/log.csv "$first" | cmp -s - ref_rows ||
    fail "$what: the rows differ from an uninterrupted run's: $(rows_from run/log.csv "$first" | diff ref_rows - | head -n 4)"
  cp ref/plot.svg plot_last.svg
  if [ "$last" -gt $((from + 1)) ]; then
    reference $((last - 1)) "$from" && cp ref/plot.svg plot_before.svg
  elif [ -e old.svg ]; then
    cp old.svg plot_before.svg
  else
    rm -f plot_before.svg
  fi
  if [ "$in_plot" = 1 ]; then
    same run/plot.svg plot_before.svg ||
      fail "$what: killed writing the plot of step $last, yet plot.svg is not the one before"
  elif ! same run/plot.svg plot_last.svg && ! same run/plot.svg plot_before.svg; then
    fail "$what: plot.svg is neither the plot of step $last nor the one before"
  fi

  # The checkpoint.
  if [ ! -e "run/$ck" ]; then
    [ "$from" -eq 0 ] && [ "$last" -le 1 ] || fail "$what: no checkpoint after step $last"
    step=0
  elif ! info=$("$prog" info --checkpoint "run/$ck" 2>&1); then
    fail "$what: info: $info"
    rm -f "run/$ck"
  else
    step=$(echo "$info" | awk '$1 == "step" { print $2 }')
    if [ "$in_ckpt" = 1 ] && [ "$step" != $((last - 1)) ]; then
      fail "$what: killed writing the checkpoint of step $last, yet it holds step $step"
    elif [ "$step" != "$last" ] && [ "$step" != $((last - 1)) ]; then
      fail "$what: the checkpoint holds step $step; the run logged up to step $last"
    fi
  fi
  echo "ok   $what: logged to step $last, checkpoint $step$([ $in_plot = 1 ] && echo ", killed inside the plot's write")"
done

seconds=$((SECONDS - start_time))
echo "training: $rounds kills, $plot_mid inside the plot's write, $ckpt_mid inside the" \
  "checkpoint's; $resumes resumed runs appended to the log, $torn of them after its last row" \
  "was cut in half"
echo "$((2 * rounds)) kills in ${seconds} s (seed $seed)"
[ "$rounds" -ge 100 ] || fail "$rounds rounds: at least 100 are needed"
[ $((plot_mid * 4)) -ge "$rounds" ] ||
  fail "training: only $plot_mid of $rounds kills inside the plot's write: fewer than a quarter"
[ "$torn" -gt 0 ] || fail "training: no resumed run met a log with its last row cut"
if [ "$failed" -ne 0 ]; then
  echo "$failed failed; files kept in $dir"
  exit 1
fi
rm -rf "$dir"
