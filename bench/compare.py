#!/usr/bin/env python3
"""rnnc beside PyTorch and oneDNN: the tables from bench/run.sh's records.

usage: compare.py RECORDS.jsonl [--machine FILE]

The records (JSON lines) are of five kinds, told apart by their keys:
  rnnc's and PyTorch's `bench` records (train_step_ms_median, ...): rnnc's
    whole model under config "CN", its recurrent layers alone under "CN-layers";
  oneDNN's records (mode train / infer / sample1, ms_median, us_per_step_median);
  the FMA probe's (probe, threads, isa, gflops);
  peak RSS (max_rss_kb) per program and run;
  compile time (emit_cc_seconds) per config.

Per thread count: one table of the median over the passes of each side's
per-run median, with its spread, and the ratios of those times (above 1,
rnnc is faster); the geometric means of the ratios; rnnc's training GFLOP/s
against the measured FMA peak; peak RSS; then the compile times and which
targets hold. Debian's python3 standard library only.
"""
import argparse
import json
import re
import statistics
from collections import defaultdict

# mode, unit, the rnnc / PyTorch record's key, oneDNN's mode and key
MODES = [
    ("train", "ms/step", "train_step_ms_median", "train", "ms_median"),
    ("infer", "ms/batch", "infer_ms_median", "infer", "ms_median"),
    ("sample", "us/char", "sample_us_per_char_median", "sample1", "us_per_step_median"),
]
SIDES = ["rnnc", "layers", "torch", "onednn"]
SIDE_NAMES = {"rnnc": "rnnc (whole)", "layers": "rnnc layers", "torch": "PyTorch",
              "onednn": "oneDNN layers"}
# ratio columns: (numerator side, denominator side, header)
RATIOS = [
    ("torch", "rnnc", "PyTorch / rnnc"),
    ("onednn", "layers", "oneDNN / rnnc layers"),
    ("onednn", "rnnc", "oneDNN / rnnc whole"),
]


def thread_count(value):
    """1, "2", or PyTorch's "omp1+blas2" (its BLAS pool is the thread count)."""
    m = re.fullmatch(r"omp\d+\+blas(\d+)", str(value))
    return int(m.group(1)) if m else int(value)


def base_config(config):
    return config[:-len("-layers")] if config.endswith("-layers") else config


class Data:
    def __init__(self):
        self.times = defaultdict(list)   # (threads, config, mode, side) -> per-pass medians
        self.gflops = defaultdict(list)  # (threads, config, side) -> train GFLOP/s per pass
        self.peak = {}                   # threads -> (gflops, isa)
        self.rss = defaultdict(list)     # (threads, config, side) -> kB per run
        self.compile = defaultdict(list)  # config -> [(emit, cc, total)]
        self.versions = {}

    def add(self, rec):
        if "probe" in rec:
            t = int(rec["threads"])
            if rec["gflops"] > self.peak.get(t, (0.0, ""))[0]:
                self.peak[t] = (rec["gflops"], rec.get("isa", "?"))
        elif "emit_cc_seconds" in rec:
            self.compile[rec["config"]].append(
                (rec.get("emit_seconds"), rec.get("cc_seconds"), rec["emit_cc_seconds"]))
        elif "max_rss_kb" in rec:
            impl, config = rec["impl"], rec["config"]
            side = "layers" if impl == "rnnc" and config.endswith("-layers") else impl
            self.rss[(thread_count(rec["threads"]), base_config(config), side)].append(
                rec["max_rss_kb"])
        elif "mode" in rec and "ms_median" in rec:  # oneDNN
            self.versions["onednn"] = "%s (%s, %s)" % (rec.get("lib", rec["impl"]), rec["impl"],
                                                       rec.get("isa", "?"))
            t = thread_count(rec["threads"])
            for mode, _, _, dmode, key in MODES:
                if rec["mode"] == dmode and key in rec:
                    self.times[(t, rec["config"], mode, "onednn")].append(rec[key])
            if rec["mode"] == "train" and "gflops" in rec:
                self.gflops[(t, rec["config"], "onednn")].append(rec["gflops"])
        elif "train_step_ms_median" in rec:  # rnnc or PyTorch
            if rec["impl"] == "rnnc":
                side = "layers" if rec["config"].endswith("-layers") else "rnnc"
                self.versions["rnnc"] = "rnnc (OpenBLAS %s)" % rec.get("openblas_core", "?")
            else:
                side = "torch"
                self.versions["torch"] = "%s (OpenBLAS %s)" % (rec["impl"],
                                                               rec.get("openblas_core", "?"))
            t, config = thread_count(rec["threads"]), base_config(rec["config"])
            for mode, _, key, _, _ in MODES:
                if key in rec:
                    self.times[(t, config, mode, side)].append(rec[key])
            if "train_gflops" in rec and side != "torch":
                self.gflops[(t, config, side)].append(rec["train_gflops"])

    def threads(self):
        return sorted({k[0] for k in self.times} | {k[0] for k in self.rss})

    def configs(self, t=None):
        keys = list(self.times) + list(self.rss)
        return sorted({k[1] for k in keys if t is None or k[0] == t},
                      key=lambda c: (len(c), c))

    def median(self, key, table=None):
        values = (self.times if table is None else table).get(key)
        return statistics.median(values) if values else None


def load(path):
    data = Data()
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                data.add(json.loads(line))
            except (ValueError, KeyError, TypeError) as e:
                raise SystemExit("%s:%d: not a record this script knows (%s): %s"
                                 % (path, n, e, line[:120]))
    return data


def fmt(v):
    return "%.4g" % v


def cell(values):
    """median, and half the min-max range over passes in % of it"""
    if not values:
        return "-"
    m = statistics.median(values)
    if len(values) < 2 or m == 0:
        return fmt(m)
    return "%s ±%.0f%%" % (fmt(m), 50.0 * (max(values) - min(values)) / m)


def ratio(data, t, config, mode, num, den):
    a = data.median((t, config, mode, num))
    b = data.median((t, config, mode, den))
    return a / b if a and b else None


def time_table(data, t):
    """the main table at T threads, and the ratios for the geometric means"""
    out = ["| config | mode | unit | %s | %s |" % (
        " | ".join(SIDE_NAMES[s] for s in SIDES), " | ".join(h for _, _, h in RATIOS)),
        "|---|---|---|" + "---|" * (len(SIDES) + len(RATIOS))]
    ratios = defaultdict(list)  # (mode, ratio header) -> values
    for config in data.configs(t):
        for mode, unit, _, _, _ in MODES:
            cells = [cell(data.times.get((t, config, mode, s))) for s in SIDES]
            if all(c == "-" for c in cells):
                continue
            rs = []
            for num, den, head in RATIOS:
                r = ratio(data, t, config, mode, num, den)
                if r is not None:
                    ratios[(mode, head)].append(r)
                rs.append("%.2fx" % r if r is not None else "-")
            out.append("| %s | %s | %s | %s | %s |" % (config, mode, unit, " | ".join(cells),
                                                       " | ".join(rs)))
    return out, ratios


def geo_table(ratios):
    out = ["| mode | %s |" % " | ".join(h for _, _, h in RATIOS),
           "|---|" + "---|" * len(RATIOS)]
    for mode, _, _, _, _ in MODES:
        cells = []
        for _, _, head in RATIOS:
            rs = ratios.get((mode, head))
            cells.append("**%.2fx** (%d)" % (statistics.geometric_mean(rs), len(rs)) if rs else "-")
        if any(c != "-" for c in cells):
            out.append("| %s | %s |" % (mode, " | ".join(cells)))
    return out if len(out) > 2 else ["(no ratios: a side is missing)"]


def gflops_table(data, t):
    peak = data.peak.get(t)
    sides = [("rnnc", "rnnc (whole)"), ("layers", "rnnc layers"), ("onednn", "oneDNN layers")]
    out = ["| config | %s |" % " | ".join("%s GFLOP/s | %% of peak" % n for _, n in sides),
           "|---|" + "---|---|" * len(sides)]
    for config in data.configs(t):
        cells = []
        for side, _ in sides:
            g = data.median((t, config, side), data.gflops)
            cells.append(fmt(g) if g else "-")
            cells.append("%.0f%%" % (100.0 * g / peak[0]) if g and peak else "-")
        if any(c != "-" for c in cells):
            out.append("| %s | %s |" % (config, " | ".join(cells)))
    return out


def rss_table(data, t):
    out = ["| config | %s |" % " | ".join("%s (MiB)" % SIDE_NAMES[s] for s in SIDES),
           "|---|" + "---|" * len(SIDES)]
    for config in data.configs(t):
        cells = []
        for side in SIDES:
            kb = data.median((t, config, side), data.rss)
            cells.append("%.1f" % (kb / 1024.0) if kb else "-")
        if any(c != "-" for c in cells):
            out.append("| %s | %s |" % (config, " | ".join(cells)))
    return out


def compile_table(data):
    out = ["| config | rnnc emit (s) | cc -O2 -c (s) | emit + cc (s) |", "|---|---|---|---|"]
    for config in sorted(data.compile, key=lambda c: (len(c), c)):
        runs = data.compile[config]
        med = [statistics.median([r[i] for r in runs if r[i] is not None] or [float("nan")])
               for i in range(3)]
        out.append("| %s | %.2f | %.2f | %.2f |" % (config, med[0], med[1], med[2]))
    return out


def verdict(ok, text):
    return "- **%s** %s" % ("HOLDS" if ok else "MISSED", text)


def ratio_target(data, t, mode, num, den, goal, configs, what):
    """every listed config (that has both sides) at least `goal`"""
    figs = [(c, ratio(data, t, c, mode, num, den)) for c in configs]
    figs = [(c, r) for c, r in figs if r is not None]
    if not figs:
        return "- NOT MEASURED %s, %d thread(s)" % (what, t)
    worst = min(r for _, r in figs)
    return verdict(worst >= goal, "%s, %d thread(s): %s (worst %.2fx, goal %.2fx)" % (
        what, t, ", ".join("%s %.2fx" % f for f in figs), worst, goal))


def targets(data):
    lines = []
    every = ["C1", "C2", "C3", "C4", "C5", "C6"]
    for t in data.threads():
        lines.append(ratio_target(data, t, "train", "onednn", "rnnc", 1.2, every,
                                  "training, rnnc's whole step >= 1.2x faster than oneDNN's "
                                  "layers alone"))
        lines.append(ratio_target(data, t, "train", "torch", "rnnc", 2.5, every,
                                  "training, rnnc >= 2.5x faster than PyTorch"))
        lines.append(ratio_target(data, t, "infer", "onednn", "rnnc", 1.2, every,
                                  "inference, rnnc's whole forward >= 1.2x faster than "
                                  "oneDNN's layers alone"))
        lines.append(ratio_target(data, t, "sample", "onednn", "rnnc", 1.0, ["C1", "C2"],
                                  "sampling, rnnc's character no slower than oneDNN's bare "
                                  "batch-1 step (C1, C2)"))
        lines.append(ratio_target(data, t, "sample", "torch", "rnnc", 10.0, ["C1", "C2", "C3"],
                                  "sampling, rnnc >= 10x faster than PyTorch (C1-C3)"))
        g = data.median((t, "C2", "rnnc"), data.gflops)
        peak = data.peak.get(t)
        if g and peak:
            lines.append(verdict(g >= 0.8 * peak[0], (
                "C2 training, rnnc at >= 80%% of the FMA peak, %d thread(s): %.1f GFLOP/s of "
                "%.1f (%s) = %.0f%%" % (t, g, peak[0], peak[1], 100.0 * g / peak[0]))))
        else:
            lines.append("- NOT MEASURED C2 training at >= 80%% of the FMA peak, %d thread(s)"
                         % t)
        figs = []
        for c in data.configs(t):
            r = data.median((t, c, "rnnc"), data.rss)
            p = data.median((t, c, "torch"), data.rss)
            if r and p:
                figs.append((c, r / 1024.0, p / 1024.0))
        if figs:
            lines.append(verdict(all(r <= p for _, r, p in figs), (
                "peak RSS, rnnc's whole program <= PyTorch's, %d thread(s): %s" % (
                    t, ", ".join("%s %.0f vs %.0f MiB" % f for f in figs)))))
        else:
            lines.append("- NOT MEASURED peak RSS against PyTorch, %d thread(s)" % t)
    if data.compile:
        figs = [(c, statistics.median(r[2] for r in runs)) for c, runs in
                sorted(data.compile.items(), key=lambda kv: (len(kv[0]), kv[0]))]
        lines.append(verdict(all(s <= 30.0 for _, s in figs), (
            "compile, rnnc emit + cc -O2 <= 30 s per config: %s" % ", ".join(
                "%s %.2f s" % f for f in figs))))
    else:
        lines.append("- NOT MEASURED compile time")
    return lines


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("records")
    ap.add_argument("--machine", help="a text file describing the run, printed first")
    args = ap.parse_args()
    data = load(args.records)
    print("# rnnc beside PyTorch and oneDNN\n")
    if args.machine:
        with open(args.machine) as f:
            print("".join("    " + line for line in f))
    print("Sides: %s.\n" % "; ".join(data.versions[k] for k in sorted(data.versions)))
    print("Times are medians over the passes of each run's median; ± is half the range "
          "over the passes, in % of the median. Ratios: the other side's time / rnnc's "
          "(above 1, rnnc is faster). rnnc (whole): the config's model, step and all; "
          "rnnc layers: its recurrent layers on a dense input with a one-unit head, MSE "
          "and Adam (an upper bound on the layers alone); oneDNN layers: the recurrent "
          "layers alone (no head, loss or optimizer), its sample row a bare batch-1 step "
          "in us. GFLOP/s: each side's own count of its GEMM FLOPs.\n")
    for t in data.threads():
        peak = data.peak.get(t)
        print("## %d thread%s%s\n" % (t, "" if t == 1 else "s",
                                      ", FMA peak %.1f GFLOP/s (%s)" % peak if peak else ""))
        rows, ratios = time_table(data, t)
        print("\n".join(rows))
        print("\nGeometric means of the ratios (number of configs):\n")
        print("\n".join(geo_table(ratios)))
        print("\nTraining GFLOP/s against the FMA peak:\n")
        print("\n".join(gflops_table(data, t)))
        print("\nPeak RSS (MiB, median over the passes; GNU time's maximum resident set):\n")
        print("\n".join(rss_table(data, t)))
        print()
    if data.compile:
        print("## Compile time (`rnnc emit` + `cc -O2 -c` of the model and its main)\n")
        print("\n".join(compile_table(data)))
        print()
    print("## Targets (a target holds when every measured config meets it)\n")
    print("\n".join(targets(data)))


if __name__ == "__main__":
    main()
