"""Shared pieces of the PyTorch twins of rnnc's examples.

Everything here mirrors rnnc's runtime so that both sides train the same
model on the same data:

  * data: runtime/program/data_*.c and vocab.c (the text vocabulary and seed 000's batch layout,
    IDX pixels / 255, CSV windows with next-step targets, labelled words as
    byte ids with padding id 0, post-padded and cut to the model's length);
  * the training loop: runtime/program/train.c (a fresh shuffle every epoch, the
    last partial batch dropped, steps per epoch = n_train // B, a shuffled
    validation split for labelled examples, Keras's split point);
  * initialization: docs/language.md section 3.7.3, Keras's defaults
    (glorot_uniform kernels with the fans of the stacked gate matrix,
    an orthogonal matrix per recurrent gate block, zero biases, +1 on the
    LSTM forget-gate block of bias_ih, U(-0.05, 0.05) embeddings).

The random streams are torch's, not rnnc's xoshiro256**, so the two sides
start from different draws of the same distributions and see the data in
different (equally random) orders; the comparison is of quality, not bits.
"""

import argparse
import gzip
import math
import os
import struct
import sys
import time


def _threads_from_argv(default=1):
    """--threads N (or --threads=N), read before torch is imported."""
    argv = sys.argv[1:]
    for i, a in enumerate(argv):
        if a == "--threads" and i + 1 < len(argv):
            return argv[i + 1]
        if a.startswith("--threads="):
            return a.split("=", 1)[1]
    return str(default)


# Debian's torch does its matrix products in OpenBLAS (pthreads), whose own
# thread pool ignores torch.set_num_threads: without this it runs one BLAS
# thread per core whatever --threads says. The variables must be set before
# the libraries load, hence before `import torch`.
if "torch" in sys.modules:
    sys.exit("examples/torch: import common before torch (it sets the BLAS threads)")
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = _threads_from_argv()

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA = os.path.join(REPO, "build", "data")


# ---------------------------------------------------------------------------
# Run setup
# ---------------------------------------------------------------------------

def base_parser(description, steps_help, data_help=None):
    p = argparse.ArgumentParser(description=description,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", default=DATA,
                   help=data_help or "the directory examples/prepare_data.sh filled "
                   "(default: build/data)")
    p.add_argument("--steps", type=int, default=None, help=steps_help)
    p.add_argument("--epochs", type=int, default=None,
                   help="instead of --steps: N passes (N * steps per epoch)")
    p.add_argument("--seed", type=int, default=1, help="torch seed (default 1)")
    p.add_argument("--threads", type=int, default=1,
                   help="torch.set_num_threads (default 1, as rnnc's --threads 1)")
    return p


_threads_set = False


def total_steps(args, per_epoch, default):
    """--steps, else --epochs * per_epoch, else DEFAULT (the spec's)."""
    if args.steps and args.epochs:
        sys.exit("give --steps or --epochs, not both")
    if args.steps:
        return args.steps
    if args.epochs:
        return args.epochs * per_epoch
    return default


def setup(args):
    """Threads (once per process) and seeds (again before every model)."""
    global _threads_set
    if not _threads_set:
        torch.set_num_threads(args.threads)
        torch.set_num_interop_threads(1)
        _threads_set = True
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)


def result(model, metric, value):
    """`RESULT model metric value`: accuracies with 4 decimals (as rnnc's
    eval prints them), losses with 6 (as rnnc prints losses)."""
    digits = 4 if metric.endswith("accuracy") else 6
    print(f"RESULT {model} {metric} {value:.{digits}f}", flush=True)


def info(msg):
    print(msg, file=sys.stderr, flush=True)


class Timer:
    def __init__(self):
        self.t0 = time.perf_counter()

    def __call__(self):
        return time.perf_counter() - self.t0


# ---------------------------------------------------------------------------
# Initialization (rnnc's defaults = Keras's)
# ---------------------------------------------------------------------------

def glorot_uniform_(w):
    """U(-a, a), a = sqrt(6 / (cols + rows)): the fans of the whole stacked
    [G*H, I] matrix, as Keras computes them for its (I, G*H) kernel."""
    rows, cols = w.shape
    a = math.sqrt(6.0 / (rows + cols))
    with torch.no_grad():
        w.uniform_(-a, a)


def orthogonal_blocks_(w, blocks):
    """An orthogonal [H][H] matrix per gate block of w [blocks*H, H]."""
    h = w.shape[0] // blocks
    with torch.no_grad():
        for b in range(blocks):
            nn.init.orthogonal_(w[b * h:(b + 1) * h])


def init_recurrent_(module, gates, forget_bias=0.0):
    """Keras's init for every layer of an nn.RNN / nn.LSTM / nn.GRU."""
    for name, p in module.named_parameters():
        if name.startswith("weight_ih"):
            glorot_uniform_(p)
        elif name.startswith("weight_hh"):
            orthogonal_blocks_(p, gates)
        elif name.startswith("bias"):
            with torch.no_grad():
                p.zero_()
                if forget_bias and name.startswith("bias_ih"):
                    h = p.shape[0] // gates
                    p[h:2 * h] += forget_bias  # LSTM gates i, f, g, o: b_if


def init_dense_(lin):
    glorot_uniform_(lin.weight)
    with torch.no_grad():
        lin.bias.zero_()


def init_embedding_(emb):
    with torch.no_grad():
        emb.weight.uniform_(-0.05, 0.05)


def count_params(model):
    return sum(p.numel() for p in model.parameters())


# ---------------------------------------------------------------------------
# Data: examples, shuffled per epoch (runtime/program/train.c)
# ---------------------------------------------------------------------------

def epoch_batches(n, batch, steps, gen):
    """Yields (epoch, index tensor) for `steps` steps: a new permutation of
    the n examples every epoch, n // batch full batches per epoch (the last
    partial batch is dropped), as rnnc's driver does."""
    per_epoch = n // batch
    if per_epoch == 0:
        sys.exit(f"{n} examples make no batch of {batch}")
    step, epoch = 0, 0
    while step < steps:
        order = torch.randperm(n, generator=gen)
        for i in range(per_epoch):
            if step == steps:
                return
            yield epoch, order[i * batch:(i + 1) * batch]
            step += 1
        epoch += 1


def shuffled_split(n, fraction, gen):
    """Keras's split point on a shuffled order (rnn_examples_split with
    shuffle): the first int(n * (1 - fraction)) train, the rest validate."""
    order = torch.randperm(n, generator=gen)
    keep = int(n * (1.0 - fraction))
    return order[:keep], order[keep:]


# ---------------------------------------------------------------------------
# IDX (Fashion-MNIST)
# ---------------------------------------------------------------------------

def _read_maybe_gz(path):
    with open(path, "rb") as f:
        raw = f.read()
    return gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw


def load_idx(images, labels):
    """IDX images as [n, rows, cols] float32 = pixel / 255 (rows are the
    steps), labels as int64 class ids."""
    img = _read_maybe_gz(images)
    magic, n, rows, cols = struct.unpack(">IIII", img[:16])
    assert magic == 0x803, images
    x = np.frombuffer(img, dtype=np.uint8, offset=16, count=n * rows * cols)
    x = x.reshape(n, rows, cols).astype(np.float32) / np.float32(255.0)
    lab = _read_maybe_gz(labels)
    magic, m = struct.unpack(">II", lab[:8])
    assert magic == 0x801 and m == n, labels
    y = np.frombuffer(lab, dtype=np.uint8, offset=8, count=n).astype(np.int64)
    return torch.from_numpy(x), torch.from_numpy(y)


# ---------------------------------------------------------------------------
# CSV series
# ---------------------------------------------------------------------------

def load_series(path):
    """One value per line (a header of names allowed, blank lines skipped)."""
    values = []
    with open(path) as f:
        for i, line in enumerate(f):
            line = line.strip()
            if not line:
                continue
            try:
                values.append([float(c) for c in line.split(",")])
            except ValueError:
                if values:
                    raise
    return np.asarray(values, dtype=np.float32)


def csv_windows(series, length):
    """Window i: steps i..i+T-1 as inputs, i+1..i+T as targets: rows - T
    windows (rnn_csv_load)."""
    n = series.shape[0] - length
    idx = np.arange(length)[None, :] + np.arange(n)[:, None]
    x = series[idx]          # [n, T, F]
    y = series[idx + 1]      # [n, T, F]
    return torch.from_numpy(x), torch.from_numpy(y)


# ---------------------------------------------------------------------------
# Labelled words
# ---------------------------------------------------------------------------

def read_labelled(path):
    out = []
    with open(path, "rb") as f:
        for line in f.read().split(b"\n"):
            if line.endswith(b"\r"):
                line = line[:-1]
            if not line:
                continue
            label, text = line.split(b"\t", 1)
            out.append((int(label), text))
    return out


def byte_vocab(texts, padding_id=0):
    """Distinct bytes in ascending order get ids 0, 1, ... skipping the
    padding id (rnn_vocab_build)."""
    present = sorted(set().union(*[set(t) for t in texts]))
    ids, nxt = {}, 0
    for b in present:
        if nxt == padding_id:
            nxt += 1
        ids[b] = nxt
        nxt += 1
    return ids


def encode_labelled(rows, vocab, length, padding_id=0):
    """ids [n, T] (first T bytes, post-padded with padding_id), lengths [n],
    labels [n] float (0/1 for binary cross-entropy)."""
    n = len(rows)
    x = np.full((n, length), padding_id, dtype=np.int64)
    lengths = np.zeros(n, dtype=np.int64)
    y = np.zeros(n, dtype=np.float32)
    for i, (label, text) in enumerate(rows):
        t = text[:length]
        x[i, :len(t)] = [vocab[b] for b in t]
        lengths[i] = len(t)
        y[i] = label
    return torch.from_numpy(x), torch.from_numpy(lengths), torch.from_numpy(y)


# ---------------------------------------------------------------------------
# Text corpus, seed 000's layout
# ---------------------------------------------------------------------------

def text_ids(path):
    data = open(path, "rb").read()
    vocab = {b: i for i, b in enumerate(sorted(set(data)))}
    lut = np.zeros(256, dtype=np.int64)
    for b, i in vocab.items():
        lut[b] = i
    return torch.from_numpy(lut[np.frombuffer(data, dtype=np.uint8)]), vocab


def text_rounds(n_ids, steps, batch):
    """Rounds per pass (rnn_text_rounds): segments of n // B ids, each round
    advancing T ids and reading T+1."""
    segment = n_ids // batch
    return (segment - 1) // steps if segment >= 1 else 0


def text_round(ids, steps, batch, r):
    """Round r (rnn_text_batch): row b reads segment*b + r*T + t and the id
    after it. Returns x, y as [B, T] (batch-first)."""
    segment = ids.shape[0] // batch
    starts = torch.arange(batch) * segment + r * steps
    idx = starts[:, None] + torch.arange(steps + 1)[None, :]
    rows = ids[idx]
    return rows[:, :-1], rows[:, 1:]
