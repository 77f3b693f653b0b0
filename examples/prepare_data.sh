#!/usr/bin/env bash
# Prepares the real data every example (and its PyTorch twin) trains on,
# from Debian packages, deterministically: the same bytes on every machine.
#
#   examples/prepare_data.sh [DIR]        (default: build/data)
#
#   fortunes.txt         seed 000: the fortune cookie files (package fortunes)
#   fashion/             seed 001: Fashion-MNIST IDX files (dataset-fashion-mnist)
#   series_train.csv     seed 001: t*sin(t)/3 + 2*sin(5t), t = 0, 0.1, ..., 30
#   series_test.csv      the same curve sampled half a step later (t + 0.05):
#                        points the model never saw, from the same distribution
#   words_train.tsv      seed 002: LABEL<TAB>WORD, 0 = English (wamerican),
#   words_test.tsv       1 = German (wngerman); balanced, shuffled, 80/20
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-build/data}
mkdir -p "$dir"

need=()
for p in fortunes dataset-fashion-mnist wamerican wngerman; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "prepare_data: installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# A fixed stream of bytes as the shuffles' randomness: deterministic.
random_source="$dir/.random"
# (a writer cut short by head gets SIGPIPE: expected, so not a failure)
[ -f "$random_source" ] || { yes rnnc-examples || true; } | head -c 4000000 >"$random_source"

# seed 000: the fortune files (not the .dat indexes, not the .u8 links)
fortunes=/usr/share/games/fortunes
if [ ! -s "$dir/fortunes.txt" ]; then
  find "$fortunes" -maxdepth 1 -type f ! -name '*.dat' ! -name '*.u8' | LC_ALL=C sort |
    xargs cat >"$dir/fortunes.txt"
fi

# seed 001: Fashion-MNIST as packaged (gzip'd IDX; the loader reads it as is)
mkdir -p "$dir/fashion"
for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte \
         t10k-labels-idx1-ubyte; do
  ln -sf "/usr/share/datasets/fashion-mnist/$f.gz" "$dir/fashion/$f.gz"
done

# seed 001: the seed's synthetic series
series() { # start value of t
  awk -v t0="$1" 'BEGIN { for (i = 0; i <= 300; i++) { t = t0 + i * 0.1;
    printf "%.6f\n", t * sin(t) / 3 + 2 * sin(5 * t) } }'
}
[ -s "$dir/series_train.csv" ] || series 0 >"$dir/series_train.csv"
[ -s "$dir/series_test.csv" ] || series 0.05 >"$dir/series_test.csv"

# seed 002: English or German? Words with an apostrophe ("Aaron's") are
# left out: the possessive would give English away.
if [ ! -s "$dir/words_train.tsv" ]; then
  en=$(mktemp) de=$(mktemp) all=$(mktemp)
  LC_ALL=C grep -v "'" /usr/share/dict/american-english | awk 'length($0) > 0' >"$en"
  LC_ALL=C grep -v "'" /usr/share/dict/ngerman | awk 'length($0) > 0' |
    LC_ALL=C sort -R --random-source="$random_source" >"$de.all"
  head -n "$(wc -l <"$en")" "$de.all" >"$de"
  rm -f "$de.all"
  { awk '{ print "0\t" $0 }' "$en"; awk '{ print "1\t" $0 }' "$de"; } |
    LC_ALL=C sort -R --random-source="$random_source" >"$all"
  n=$(wc -l <"$all")
  head -n $((n * 8 / 10)) "$all" >"$dir/words_train.tsv"
  tail -n +$((n * 8 / 10 + 1)) "$all" >"$dir/words_test.tsv"
  rm -f "$en" "$de" "$all"
fi

echo "prepare_data: data in $dir"
wc -c "$dir/fortunes.txt" "$dir"/series_*.csv "$dir"/words_*.tsv | sed 's/^/  /'
