#!/usr/bin/env python3
"""rnnc beside PyTorch: one table from bench/run.sh's JSON-lines records.

usage: compare.py RECORDS.jsonl [--machine FILE]

Per config and mode (train step, inference forward pass, sampling one
character), the median over the passes of each side's per-run median, and
the ratio PyTorch / rnnc of those times: above 1 rnnc is faster, below 1
slower. Also the spread (min-max over passes) so a noisy machine shows.
"""
import argparse
import json
import statistics
from collections import defaultdict

MODES = [
    ("train", "train_step_ms_median", "ms/step"),
    ("infer", "infer_ms_median", "ms/batch"),
    ("sample", "sample_us_per_char_median", "us/char"),
]


def side(rec):
    return "rnnc" if rec["impl"] == "rnnc" else "torch"


def load(path):
    values = defaultdict(list)  # (config, mode, side) -> per-pass medians
    versions = {}
    with open(path) as f:
        for line in f:
            if not line.strip():
                continue
            rec = json.loads(line)
            versions[side(rec)] = rec["impl"]
            for mode, key, _ in MODES:
                if key in rec:
                    values[(rec["config"], mode, side(rec))].append(rec[key])
    return values, versions


def fmt(v):
    return "%.4g" % v


def table(values):
    configs = sorted({c for c, _, _ in values})
    rows = ["| config | mode | unit | rnnc | PyTorch | PyTorch / rnnc | rnnc spread | PyTorch spread |",
            "|---|---|---|---|---|---|---|---|"]
    ratios = defaultdict(list)
    for config in configs:
        for mode, _, unit in MODES:
            r = values.get((config, mode, "rnnc"))
            t = values.get((config, mode, "torch"))
            if not r or not t:
                continue
            rm, tm = statistics.median(r), statistics.median(t)
            ratios[mode].append(tm / rm)
            rows.append("| %s | %s | %s | %s | %s | **%.2fx** | %s-%s | %s-%s |" % (
                config, mode, unit, fmt(rm), fmt(tm), tm / rm,
                fmt(min(r)), fmt(max(r)), fmt(min(t)), fmt(max(t))))
    return rows, ratios


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("records")
    ap.add_argument("--machine", help="a text file describing the run, printed first")
    args = ap.parse_args()
    values, versions = load(args.records)
    print("# rnnc beside PyTorch\n")
    if args.machine:
        with open(args.machine) as f:
            print("".join("    " + line for line in f))
    print("Sides: %s.\n" % ", ".join(sorted(versions.values())))
    rows, ratios = table(values)
    print("\n".join(rows))
    print()
    for mode, _, _ in MODES:
        if ratios[mode]:
            geo = statistics.geometric_mean(ratios[mode])
            print("- %s: geometric mean of PyTorch / rnnc over %d configs: %.2fx"
                  % (mode, len(ratios[mode]), geo))


if __name__ == "__main__":
    main()
