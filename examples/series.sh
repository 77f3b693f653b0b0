#!/usr/bin/env bash
# Seed 001 14.3.2-3: the time-series predictor (specs/series.rnn: 20 steps
# of one value, SimpleRNN 100 ReLU, a linear output per step) trained on
# series_train.csv, evaluated and run on series_test.csv, then generating
# on its own.
#
#   examples/series.sh [--quick] [--threads N] [--steps N]
#
# The series is t*sin(t)/3 + 2*sin(5t) for t = 0, 0.1, ..., 30 (train) and
# the same curve half a step later (test: points never seen). Windows of 20
# steps with next-step targets (281 per file).
#   full:    the spec's 1000 steps of batch 50, Adam 1e-3 (seconds)
#   --quick: 300 steps
#   --threads N: OpenBLAS threads (default 1, as docs/RESULTS.md measured;
#            figures move slightly with the count, as the sums' order does)
# Then:
#   eval     the test MSE (mean over every step of every test window)
#   predict  one-step-ahead predictions of steps 20..300 of the test series,
#            next to the truth: predict_vs_truth.csv and .svg, and their MSE
#   sample   free-running generation (14.3.3): the first 20 test steps as the
#            seed, then each prediction fed back, 300 times: generation.csv
#            and generation.svg (the runtime's plot)
# Output in build/examples/series/. The last lines are
#   RESULT series test_mse 0.048016
#   RESULT series predict_mse 0.001351
#   RESULT series train_seconds 4.9
set -euo pipefail
# shellcheck source=examples/common.sh
. "$(dirname "$0")/common.sh"

quick=0
steps=()
while [ $# -gt 0 ]; do
  case $1 in
    --quick) quick=1 ;;
    --threads) threads=${2:?--threads needs a number}; shift ;;
    --steps) steps=(--steps "${2:?--steps needs a number}"); shift ;;
    -h|--help) example_help; exit 0 ;;
    *) echo "series.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
  esac
  shift
done

# plot_lines CSV SVG TITLE: an SVG of the columns truth and prediction of
# CSV (step,truth,prediction; an empty cell is no point) against step.
plot_lines() {
  awk -F, -v title="$3" '
    function X(v) { return 72 + (v - x0) / (x1 - x0) * 656 }
    function Y(v) { return 398 - (v - y0) / (y1 - y0) * 334 }
    function floor(x) { return x < 0 && int(x) != x ? int(x) - 1 : int(x) }
    function ceil(x) { return -floor(-x) }
    function nice(range,   e, f) {   # a round tick step giving about 6 ticks
      e = 10 ^ floor(log(range / 6) / log(10)); f = range / 6 / e
      return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * e }
    function path(col, color,   i, d) {
      d = ""
      for (i = 1; i <= n; i++) if (v[i, col] != "")
        d = d sprintf("%s%.2f %.2f", d == "" ? "M" : " L", X(s[i]), Y(v[i, col]))
      printf "<path fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\" d=\"%s\"/>\n", color, d }
    NR == 1 { next }
    { n++; s[n] = $1; v[n, 2] = $2; v[n, 3] = $3
      for (c = 2; c <= 3; c++) if ($c != "") {
        if (!have || $c < lo) lo = $c; if (!have || $c > hi) hi = $c; have = 1 } }
    END {
      x0 = s[1]; x1 = s[n]; if (x1 == x0) x1 = x0 + 1
      if (hi == lo) { hi += 1; lo -= 1 }
      t = nice(hi - lo); y0 = t * floor(lo / t); y1 = t * ceil(hi / t)
      tx = nice(x1 - x0)
      print "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"800\" height=\"450\" viewBox=\"0 0 800 450\">"
      print "<rect width=\"800\" height=\"450\" fill=\"white\"/>"
      printf "<text x=\"400\" y=\"24\" text-anchor=\"middle\" font-family=\"sans-serif\" font-size=\"16\">%s</text>\n", title
      for (g = x0; g <= x1 + 1e-9; g += tx)
        printf "<line x1=\"%.2f\" y1=\"64\" x2=\"%.2f\" y2=\"398\" stroke=\"#e6e6e6\"/>\n<text x=\"%.2f\" y=\"416\" text-anchor=\"middle\" font-family=\"sans-serif\" font-size=\"12\">%g</text>\n", X(g), X(g), X(g), g
      for (g = y0; g <= y1 + t * 1e-6; g += t)
        printf "<line x1=\"72\" y1=\"%.2f\" x2=\"728\" y2=\"%.2f\" stroke=\"#e6e6e6\"/>\n<text x=\"64\" y=\"%.2f\" text-anchor=\"end\" font-family=\"sans-serif\" font-size=\"12\">%g</text>\n", Y(g), Y(g), Y(g) + 4, (g > -t * 1e-6 && g < t * 1e-6) ? 0 : g
      print "<text x=\"400\" y=\"438\" text-anchor=\"middle\" font-family=\"sans-serif\" font-size=\"12\">step</text>"
      print "<text x=\"16\" y=\"231\" text-anchor=\"middle\" transform=\"rotate(-90 16 231)\" font-family=\"sans-serif\" font-size=\"12\">value</text>"
      print "<rect x=\"72\" y=\"64\" width=\"656\" height=\"334\" fill=\"none\" stroke=\"black\"/>"
      path(2, "#1f77b4"); path(3, "#d62728")
      print "<line x1=\"72\" y1=\"48\" x2=\"96\" y2=\"48\" stroke=\"#1f77b4\" stroke-width=\"2\"/>"
      print "<text x=\"102\" y=\"52\" font-family=\"sans-serif\" font-size=\"12\">truth</text>"
      print "<line x1=\"161\" y1=\"48\" x2=\"185\" y2=\"48\" stroke=\"#d62728\" stroke-width=\"2\"/>"
      print "<text x=\"191\" y=\"52\" font-family=\"sans-serif\" font-size=\"12\">prediction (one step ahead)</text>"
      print "</svg>" }' "$1" >"$2"
}

example_setup
out=$(example_dir series)
rm -f "$out"/series.ckpt "$out"/series.ckpt.yaml "$out"/*.csv "$out"/*.svg "$out"/*.txt
train=$data/series_train.csv
test=$data/series_test.csv
train_opts=("${steps[@]}" --eval-every 50)
if [ "$quick" = 1 ]; then
  train_opts=(--steps 300 --eval-every 50 --quiet)
fi
series=$(prog series)

echo "== series: training on $train"
start=$(now)
"$series" train "$train" "${train_opts[@]}" --threads "$threads" --checkpoint "$out/series.ckpt" \
  --log "$out/log.csv" --plot "$out/loss.svg"
train_seconds=$(elapsed "$start")
echo "trained in $train_seconds s"

echo "== series: eval on $test"
"$series" eval "$test" --threads "$threads" --checkpoint "$out/series.ckpt" | tee "$out/eval.txt"
test_mse=$(eval_field "$(cat "$out/eval.txt")" loss)

echo "== series: predict on $test"
"$series" predict "$test" --threads "$threads" --checkpoint "$out/series.ckpt" >"$out/predict.txt"
# Line i of predict is window i's last output: the prediction of step i+20
# (0-based) of the test series, from steps i..i+19.
T=20
awk -v T="$T" 'NR == FNR { pred[FNR + T] = $1; next }
  FNR == 1 { print "step,truth,prediction" }
  { print FNR - 1 "," $1 "," ((FNR in pred) ? pred[FNR] : "") }' \
  "$out/predict.txt" "$test" >"$out/predict_vs_truth.csv"
predict_mse=$(awk -F, 'NR > 1 && $3 != "" { n++; d = $3 - $2; s += d * d }
  END { if (!n) exit 1; printf "%.6f\n", s / n }' "$out/predict_vs_truth.csv")
echo "one-step-ahead MSE over $(wc -l <"$out/predict.txt") predictions: $predict_mse"
plot_lines "$out/predict_vs_truth.csv" "$out/predict_vs_truth.svg" \
  "series: one-step-ahead predictions on series_test.csv"

echo "== series: sample --seed-series $test --length 300"
"$series" sample --checkpoint "$out/series.ckpt" --seed-series "$test" --length 300 \
  --csv "$out/generation.csv" --svg "$out/generation.svg"
echo "generation: $(wc -l <"$out/generation.csv") steps (20 seed + 300 generated)" \
  "in $out/generation.csv and .svg; last value $(tail -n 1 "$out/generation.csv")"
echo "outputs: $out/{predict_vs_truth.svg,generation.svg,loss.svg}"

result series test_mse "$test_mse"
result series predict_mse "$predict_mse"
result series train_seconds "$train_seconds"
results_print
