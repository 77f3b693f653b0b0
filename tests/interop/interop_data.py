"""interop_data.py - made-up data of the kinds the programs read, for the
tests of tools/rnnc_torch.py (torch/ and onnx/): the files a program reads
and the same examples as numpy arrays, batch first (numpy alone).

    data = MAKERS[kind_of(model)](model, rng, n, stem)
    data.files                        # what `NAME train|eval|predict` takes
    inputs, y = data.tensors(vocab)   # {'x' or 'ids'[, 'lengths']: array}, targets

VOCAB is the byte -> id map of the trained checkpoint (byte_ids), for token
models; MODEL is tools/rnnc_torch.py's Model.
"""
import struct

import numpy as np


class Data:
    """One data set: the files the program reads and, once the vocabulary
    is known, the module's inputs, lengths and targets."""

    def __init__(self, files, make_inputs):
        self.files = files
        self.make_inputs = make_inputs

    def tensors(self, vocab):
        return self.make_inputs(vocab)


def kind_of(model):
    if model.tokens:
        return 'text' if model.per_step and model.mask == 'none' else 'labelled'
    return 'csv' if model.per_step else 'idx'


def make_idx(model, rng, n, stem):
    T, F = model.length, model.features
    pix = rng.integers(0, 256, size=(n, T, F), dtype=np.uint8)
    top = model.out_units - 1 if model.loss == 'cross_entropy' else 1
    labels = rng.integers(0, top + 1, size=n, dtype=np.uint8)
    with open(stem + '-images', 'wb') as f:
        f.write(struct.pack('>IIII', 0x803, n, T, F) + pix.tobytes())
    with open(stem + '-labels', 'wb') as f:
        f.write(struct.pack('>II', 0x801, n) + labels.tobytes())

    def inputs(vocab):
        x = pix.astype(np.float32) / np.float32(255.0)
        y = labels.astype(np.int64)
        if model.loss != 'cross_entropy':
            y = y.astype(np.float32)[:, None]
        return dict(x=x), y
    return Data([stem + '-images', stem + '-labels'], inputs)


def make_csv(model, rng, n, stem):
    T, F = model.length, model.features
    series = (rng.random((n + T, F)) * 0.8 + 0.1).astype(np.float32)
    with open(stem + '.csv', 'w') as f:
        for row in series:
            f.write(','.join('%.9g' % v for v in row) + '\n')

    def inputs(vocab):
        x = np.stack([series[i:i + T] for i in range(n)])
        y = np.stack([series[i + 1:i + T + 1] for i in range(n)])
        d = dict(x=x)
        if model.mask == 'lengths':
            d['lengths'] = np.full(n, T, dtype=np.int64)
        return d, y
    return Data([stem + '.csv'], inputs)


ALPHABET = b'abcdefghij'


def make_labelled(model, rng, n, stem, letters=None):
    """N lines of LETTERS (default: as many as the vocab holds beside the
    padding id)."""
    T = model.length
    letters = letters or ALPHABET[:min(len(ALPHABET), model.vocab - 1)]
    lines = []
    for i in range(n):
        size = 1 + (i * 3) % (T + 2)  # 1 .. T+2 bytes: short, full and cut
        text = bytes(rng.choice(list(letters), size=size).tolist())
        top = model.out_units - 1 if model.loss == 'cross_entropy' else 1
        lines.append((int(rng.integers(0, top + 1)), text))
    with open(stem + '.tsv', 'wb') as f:
        for label, text in lines:
            f.write(b'%d\t%s\n' % (label, text))

    def inputs(vocab):
        ids = np.full((n, T), model.padding_id, dtype=np.int64)
        lengths = np.zeros(n, dtype=np.int64)
        for i, (_, text) in enumerate(lines):
            used = text[:T]
            ids[i, :len(used)] = [vocab[b] for b in used]
            lengths[i] = len(used)
        y = np.array([label for label, _ in lines], dtype=np.int64)
        if model.loss != 'cross_entropy':
            y = y.astype(np.float32)[:, None]
        d = dict(ids=ids)
        if model.mask == 'lengths':
            d['lengths'] = lengths
        return d, y
    data = Data([stem + '.tsv'], inputs)
    data.letters = bytes(sorted(set(b''.join(text[:T] for _, text in lines))))
    return data


def make_text(model, rng, n_rounds, stem):
    """Text of exactly N_ROUNDS rounds of seed 000's layout; it starts with
    every letter, so that any such text has every byte of its vocabulary."""
    T, B = model.length, model.batch
    letters = ALPHABET[:min(len(ALPHABET), model.vocab)]
    segment = n_rounds * T + 1
    text = letters + bytes(rng.choice(list(letters), size=segment * B - len(letters)).tolist())
    with open(stem + '.txt', 'wb') as f:
        f.write(text)

    def inputs(vocab):
        ids = np.array([vocab[b] for b in text], dtype=np.int64)
        xs, ys = [], []
        for r in range(n_rounds):  # rnn_text_batch: row b reads segment*b + r*T + t
            for b in range(B):
                at = segment * b + r * T
                xs.append(ids[at:at + T])
                ys.append(ids[at + 1:at + T + 1])
        return dict(ids=np.stack(xs)), np.stack(ys)
    return Data([stem + '.txt'], inputs)


MAKERS = {'idx': make_idx, 'csv': make_csv, 'labelled': make_labelled, 'text': make_text}


def byte_ids(vocab):
    """byte -> id of an rnnc file's vocabulary."""
    return {v[0]: i for i, v in enumerate(vocab) if v is not None and len(v) == 1}
