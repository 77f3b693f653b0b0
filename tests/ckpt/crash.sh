#!/usr/bin/env bash
# Checkpoints survive SIGKILL, and the kills land where it matters: inside
# the checkpoint's write. Each round runs `crash_big train --eval-every 1
# --log` (a checkpoint of 8.6 MB after every step: tests/ckpt/crash_big.rnn)
# under crash_kill, which kills it with -9 at a moment drawn from the save
# times a first, uninterrupted run measured:
#
#   write  (5 rounds in 8)  0..W us after crash_big.ckpt.tmp appears,
#                           W the median time that file lives (open to
#                           rename), so most of these land in the write
#   cycle  (2 in 8)         0..P us after it appears, P the time between
#                           two saves: anywhere in the rename, the
#                           manifest, the next step, the next save
#   start  (1 in 8)         0..T us after the program starts, T the time
#                           to its first save: while it loads and resumes
#
# and every 25th round starts over from no checkpoint (a leftover .tmp
# stays). After each kill:
#   - crash_kill names the .tmp files the program was writing when it died;
#     crash_big.ckpt.tmp among them is a kill inside a checkpoint write
#   - every line of the log is a whole row; the rows this run appended
#     are consecutive from the checkpoint it started from + 1 (so --resume
#     continued from the checkpoint's step and trained further); a step
#     logged twice (by a killed run after its last checkpoint, then by the
#     run that resumed) has the same numbers but the seconds
#   - the checkpoint is the last one whose save finished: `info` and `eval`
#     load it, its step is the run's last row's or the one before, the one
#     before when the kill cut a checkpoint write. None is accepted only
#     while no save can have finished (a run from nothing that logged at
#     most step 1), and counted
#   - the manifest, when there is one, is whole: the measuring run's but
#     for its counters
# The next round resumes from that checkpoint (whatever .tmp the kill
# left); before a start over and at the end a clean run resumes, trains two
# steps and saves (and at the end leaves no .tmp). Every kill that left a
# checkpoint must be followed by a run that resumed from its step and
# logged the next. Fails when fewer than a quarter of the rounds killed
# inside a checkpoint write, or on any check above. Three runs here (2
# shared cores, beside outputs.sh): 77, 80 and 80 kills of 120 inside the
# write, 41-43 s each.
#
#   crash.sh CRASH_KILL CRASH_BIG WORKDIR [ROUNDS]   (ROUNDS >= 100; 120)
#
# CRASH_SEED=N repeats a run's kill times. Each run works in its own
# directory under WORKDIR, removed when the run passes.
set -u

killer=$(realpath "$1") prog=$(realpath "$2")
rounds=${4:-120}
mkdir -p "$3"
dir=$(mktemp -d "$3/run.XXXXXX") || exit 1
cd "$dir" || exit 1
seed=${CRASH_SEED:-$((RANDOM * 32768 + RANDOM))}
RANDOM=$seed
start_time=$SECONDS

name=$(basename "$prog")
ck=$name.ckpt
failed=0
fail() {
  echo "FAIL $*"
  failed=$((failed + 1))
}

seq 1 5000 >train.txt
printf '0123456789\n01234\n' >eval.txt
mkdir calib run

# A random number in [0, N).
random_below() { echo $(((RANDOM * 32768 + RANDOM) % $1)); }

# The manifest without its counters: the same for every step.
manifest_body() {
  grep -v -E '^(step|epoch|position|examples_seen|optimizer_step|best_valid_loss):' "$1"
}

# -- The measuring run: 6 saves, nothing killed --------------------------------
(cd calib && "$killer" . none 1 -1 60000 "$prog" train ../train.txt --steps 6 --eval-every 1 \
  --checkpoint "$ck" --quiet --threads 1) >calib.out 2>calib.err
if ! grep -q '^exited 0;' calib.out; then
  echo "FAIL the measuring run: $(head -n 1 calib.out) $(cat calib.err)"
  echo "files kept in $dir"
  exit 1
fi
# W: median life of NAME.ckpt.tmp; P: median time between two of them;
# T: from the start to the first
read -r W P T < <(awk -v f="$ck.tmp" '$1 == "tmp" && $2 == f {
    life[n] = $4 - $3; if (n) gap[n - 1] = $3 - last; else first = $3; last = $3; n++ }
  function median(a, k,   i, j, t) {
    for (i = 0; i < k; i++) for (j = i + 1; j < k; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
    return a[int(k / 2)] }
  END { print median(life, n), median(gap, n - 1), first }' calib.out)
manifest_body "calib/$ck.yaml" >manifest.ref
echo "measured: $ck.tmp lives ${W} us, a save every ${P} us, the first ${T} us after the start (seed $seed)"
rm -rf calib
if ! [ "${W:-0}" -gt 0 ] 2>/dev/null || ! [ "${P:-0}" -gt 0 ] || ! [ "${T:-0}" -gt 0 ]; then
  fail "the measuring run saved too few checkpoints: $(cat calib.out)"
  exit 1
fi

# -- The log -----------------------------------------------------------------
# Every line whole: the header, then rows of 9 fields whose numbers parse;
# steps start at 1 and never skip one; a step logged again has the same
# numbers but the seconds. Prints nothing when all holds, else what broke.
check_log() {
  awk -F, '
    NR == 1 { if ($0 != "step,epoch,lr,train_loss,valid_loss,valid_accuracy,grad_norm,seconds,skipped")
                { print "line 1 is not the header: " $0; exit } next }
    {
      if (NF != 9 || $1 !~ /^[0-9]+$/ || $2 !~ /^[0-9]+$/ || $9 !~ /^[0-9]+$/) { print "line " NR " is not a whole row: " $0; exit }
      for (i = 3; i <= 8; i++) if ($i !~ /^(-?[0-9.]+(e[-+][0-9]+)?|-?inf)?$/) { print "line " NR " field " i ": " $i; exit }
      s = $1 + 0
      if (NR == 2 && s != 1) { print "the first row is step " s; exit }
      if (NR > 2 && s > last + 1) { print "line " NR ": step " s " after step " last; exit }
      key = $2 "," $3 "," $4 "," $5 "," $6 "," $7 "," $9
      if ((s in row) && row[s] != key) { print "step " s " logged twice, differently: " row[s] " / " key; exit }
      row[s] = key; last = s
    }' "$1"
}

# The steps of lines FROM.. of the log, space-separated.
log_steps() { awk -F, -v from="$2" 'NR >= from { printf "%s ", $1 }' "$1"; }

# -- The rounds ---------------------------------------------------------------
# -- Resuming -----------------------------------------------------------------
# Kills whose checkpoint no run has resumed yet (a run killed before its
# first row resumes nothing visible), and those that one has.
pending=0 resumed=0 resumes=0

# A run that resumed from STEP logged the rows STEP+1..: it continued from
# the checkpoint's step and trained on.
resumed_from() {
  resumes=$((resumes + 1))
  resumed=$((resumed + pending))
  pending=0
}

# A run to its end from the checkpoint (step FROM): two more steps, logged
# and saved.
clean_resume() {
  local from=$1 first_line steps bad
  first_line=$(($(wc -l <run/log.csv) + 1))
  if ! (cd run && "$prog" train ../train.txt --steps $((from + 2)) --eval-every 1 \
    --checkpoint "$ck" --log log.csv --quiet --threads 1 --resume) 2>train.err; then
    fail "a clean run from step $from: $(cat train.err)"
    return
  fi
  step=$("$prog" info --checkpoint "run/$ck" | awk '$1 == "step" { print $2 }')
  steps=$(log_steps run/log.csv "$first_line")
  bad=$(check_log run/log.csv)
  if [ "$step" = $((from + 2)) ] && [ "$steps" = "$((from + 1)) $((from + 2)) " ] && [ -z "$bad" ]; then
    resumed_from
    echo "ok   a clean run resumed from step $from and saved step $step"
  else
    fail "a clean run from step $from: checkpoint step $step, logged '$steps' $bad"
  fi
}

# -- The rounds ---------------------------------------------------------------
mid_write=0 mid_manifest=0 no_ckpt=0 fresh_starts=0
step=0 # the checkpoint's step, as the last round's check found it
for round in $(seq 1 "$rounds"); do
  if [ $((round % 25)) -eq 1 ]; then # start over; a leftover .tmp stays
    [ -e "run/$ck" ] && clean_resume "$step"
    rm -f "run/$ck" "run/$ck.yaml" run/log.csv
  fi
  if [ -e "run/$ck" ]; then
    from=$step
    resume=(--resume)
    first_line=$(($(wc -l <run/log.csv) + 1))
  else
    from=0
    resume=()
    rm -f run/log.csv # a run from nothing truncates it anyway
    first_line=2
  fi
  case $((round % 8)) in
    0) mode=start trigger=none n=0 delay=$(random_below "$T") ;;
    1 | 2) mode=cycle trigger=$ck.tmp n=1 delay=$(random_below "$P") ;;
    *) mode=write trigger=$ck.tmp n=$((1 + RANDOM % 2)) delay=$(random_below "$W") ;;
  esac
  out=$(cd run && "$killer" . "$trigger" "$n" "$delay" 20000 "$prog" train ../train.txt \
    --steps 1000000 --eval-every 1 --checkpoint "$ck" --log log.csv --quiet --threads 1 \
    "${resume[@]}" 2>../train.err)
  what="round $round ($mode, from step $from, $out)"
  case $out in
    killed*) ;;
    *) fail "$what: not killed: $(cat train.err)"; continue ;;
  esac
  live=" ${out#*; live} "
  in_write=0
  if [[ $live == *" $ck.tmp "* ]]; then
    in_write=1
    mid_write=$((mid_write + 1))
    [ -e "run/$ck.tmp" ] || fail "$what: $ck.tmp was being written, but is not there"
  fi
  [[ $live == *" $ck.yaml.tmp "* ]] && mid_manifest=$((mid_manifest + 1))

  # The log: whole lines; this run's rows continue from its checkpoint.
  steps=""
  if [ -e run/log.csv ]; then
    bad=$(check_log run/log.csv)
    [ -z "$bad" ] || fail "$what: log: $bad"
    steps=$(log_steps run/log.csv "$first_line")
  fi
  want="" last=$from
  for s in $steps; do
    last=$((last + 1))
    want+="$last "
  done
  if [ "$steps" != "$want" ]; then
    fail "$what: the run logged steps '$steps', not consecutive from $((from + 1))"
  elif [ -n "$steps" ] && [ "$from" -gt 0 ]; then
    resumed_from
  elif [ -n "$steps" ]; then
    fresh_starts=$((fresh_starts + 1))
  fi

  # The checkpoint: the last whose save finished.
  if [ ! -e "run/$ck" ]; then
    if [ "$from" -eq 0 ] && [ "$last" -le 1 ]; then
      no_ckpt=$((no_ckpt + 1))
      echo "ok   $what: no checkpoint yet"
    else
      fail "$what: no checkpoint, after the run logged step $last"
    fi
    continue
  fi
  if ! info=$("$prog" info --checkpoint "run/$ck" 2>&1); then
    fail "$what: info: $info"
    rm -f "run/$ck" # so that the next round starts over
    continue
  fi
  step=$(echo "$info" | awk '$1 == "step" { print $2 }')
  if [ "$in_write" = 1 ] && [ "$step" != $((last - 1)) ]; then
    fail "$what: killed writing the checkpoint of step $last, yet it holds step $step"
  elif [ "$step" != "$last" ] && [ "$step" != $((last - 1)) ]; then
    fail "$what: the checkpoint holds step $step; the run logged up to step $last"
  fi
  if ! ev=$("$prog" eval eval.txt --checkpoint "run/$ck" --threads 1 2>&1); then
    fail "$what: eval: $ev"
  fi
  if [ -e "run/$ck.yaml" ]; then
    if ! manifest_body "run/$ck.yaml" | cmp -s - manifest.ref; then
      fail "$what: $ck.yaml is not whole: $(manifest_body "run/$ck.yaml" | diff manifest.ref - | head -n 5)"
    fi
    yaml_step=$(awk '$1 == "step:" { print $2 }' "run/$ck.yaml")
    [ "${yaml_step:-0}" -le "$step" ] || fail "$what: $ck.yaml says step $yaml_step, the checkpoint $step"
  fi
  pending=$((pending + 1))
  echo "ok   $what: step $step loads$([ "$in_write" = 1 ] && echo ", killed inside its write")"
done

# -- A clean run resumes, and leaves no .tmp ----------------------------------
if [ -e "run/$ck" ]; then
  clean_resume "$step"
  leftovers=$(cd run && ls -- *.tmp 2>/dev/null)
  [ -z "$leftovers" ] || fail "files left after a clean run: $leftovers"
fi
[ "$pending" -eq 0 ] || fail "$pending kills left a checkpoint no run resumed"
[ $((resumed + no_ckpt)) -eq "$rounds" ] || fail "$((resumed + no_ckpt)) of $rounds kills checked"

seconds=$((SECONDS - start_time))
echo "$rounds rounds in ${seconds} s (seed $seed): $mid_write killed inside a checkpoint write" \
  "($ck.tmp live), $mid_manifest inside a manifest write; $resumed left a checkpoint that a" \
  "later run resumed from its step and trained on ($resumes runs resumed, $fresh_starts" \
  "started from nothing), $no_ckpt left none (before the first save finished)"
[ "$rounds" -ge 100 ] || fail "$rounds rounds: at least 100 are needed"
[ $((mid_write * 4)) -ge "$rounds" ] || fail "only $mid_write of $rounds kills inside a checkpoint write: fewer than a quarter"
if [ "$failed" -ne 0 ]; then
  echo "$failed failed; files kept in $dir"
  exit 1
fi
rm -rf "$dir"
