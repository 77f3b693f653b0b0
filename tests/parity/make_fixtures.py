#!/usr/bin/python3
"""make_fixtures.py - PyTorch reference fixtures for the parity tests.

For every model in MODELS (one per specs/NAME.rnn) this builds the same
network in PyTorch, in float64, with deterministic weights and data, runs a
forward and backward pass (and, for optimizer models, three training steps)
and writes fixtures/NAME.bin, which parity.c compares rnnc's generated code
against.

The specs are not parsed: each model's configuration is written out below,
and checked against `rnnc ir SPEC` (layers, sizes, parameter names and
shapes, loss, optimizer, schedule, clipping) so the two cannot drift apart.

Torch modules are the reference wherever PyTorch has one: nn.RNN, nn.LSTM,
nn.GRU (full sequences) and nn.RNNCell / nn.LSTMCell / nn.GRUCell (masked
sequences, one step at a time), nn.Embedding, nn.Linear, the nn losses,
torch.optim and torch.nn.utils.clip_grad_norm_. Peephole LSTMs and GRUs
with the reset gate before the recurrent product have no module; they are
written with explicit tensor ops, with runtime/kernels/rnn.h's equations (and the
same code with zero peepholes / as a reset-after GRU is checked against
nn.LSTM / nn.GRU first).

Fixture format (little-endian):
  "RNNCFIX\\0", uint32 version (1), uint32 count, then count times:
  uint32 name length, name bytes, uint32 ndim, uint32 dims[ndim],
  float64 data[prod(dims)] (row-major).
Tensors: every parameter under rnnc's name; x (token ids as float64),
dropout_seed (ndim 0; only for models whose forward drops: the seed of the
dropout RNG both sides draw their masks from), y,
lengths (mask lengths only), out (the output after its activation: [T][B][OUT]
per step, else [B][OUT]), h_final.LAYER and c_final.LAYER (lstm) [B][H], loss
(ndim 0), grad.PARAM, and for optimizer models stepK.PARAM (K = 1..3, the
parameters after K training steps on the same batch).

Usage:  /usr/bin/python3 make_fixtures.py [--rnnc PATH] [NAME ...]
"""
import argparse
import os
import struct
import subprocess
import sys
import zlib

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, '..', '..'))
DT = torch.float64
TRAIN_STEPS = 3


# --------------------------------------------------------------------------
# The models, written out by hand next to their spec files
# --------------------------------------------------------------------------

def rec(kind, name, units, act='tanh', peephole=False, reset_after=True, biases=2, dropout=0.0):
    return dict(kind=kind, name=name, units=units, act=act, peephole=peephole,
                reset_after=reset_after if kind == 'gru' else False, biases=biases,
                dropout=dropout)


def dense(name, units, act='linear', per_step=False):
    return dict(kind='dense', name=name, units=units, act=act, per_step=per_step)


def adam(lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0):
    return dict(kind='adam', lr=lr, beta1=beta1, beta2=beta2, eps=eps, weight_decay=weight_decay)


# input: vocab/features, embedding, length, mask, padding_id; loss; batch;
# per_step: whether the output is per step. optimizer/schedule/clip_norm only
# matter (and are only trained) when train=True.
MODELS = {
    'rnn_tanh': dict(
        input=dict(features=3, length=5), batch=3, loss='mse', per_step=False,
        layers=[rec('simple_rnn', 'rnn', 5, act='tanh'), dense('out', 2)]),
    'rnn_relu': dict(
        input=dict(features=4, length=6), batch=4, loss='cross_entropy', per_step=True,
        layers=[rec('simple_rnn', 'rnn', 6, act='relu'),
                dense('out', 3, 'softmax', per_step=True)]),
    'lstm': dict(
        input=dict(vocab=6, embedding=4, length=6), batch=3, loss='cross_entropy',
        per_step=True,
        layers=[rec('lstm', 'cell', 5), dense('out', 6, 'softmax', per_step=True)]),
    'gru': dict(
        input=dict(features=3, length=7), batch=4, loss='binary_cross_entropy',
        per_step=False,
        layers=[rec('gru', 'cell', 6, reset_after=True), dense('out', 2, 'sigmoid')]),
    'stack': dict(
        input=dict(vocab=8, embedding=4, length=6), batch=3, loss='cross_entropy',
        per_step=False,
        layers=[rec('lstm', 'enc', 6), rec('gru', 'dec', 5), dense('out', 3, 'softmax')]),
    'head_xent_onehot': dict(
        input=dict(vocab=5, length=6), batch=3, loss='cross_entropy', per_step=True,
        layers=[rec('lstm', 'cell', 4), dense('out', 5, 'softmax', per_step=True)]),
    'head_bce_last': dict(
        input=dict(features=2, length=5), batch=4, loss='binary_cross_entropy',
        per_step=False,
        layers=[rec('lstm', 'cell', 4), dense('out', 1, 'sigmoid')]),
    'head_mse_steps': dict(
        input=dict(features=3, length=6), batch=3, loss='mse', per_step=True,
        layers=[rec('simple_rnn', 'cell', 5, biases=1), dense('out', 2, per_step=True)]),
    'dense_hidden': dict(
        input=dict(features=3, length=5), batch=3, loss='cross_entropy', per_step=False,
        layers=[rec('gru', 'cell', 6), dense('hid1', 5, 'relu'), dense('hid2', 4, 'tanh'),
                dense('out', 3, 'softmax')]),
    'lstm_peephole': dict(
        input=dict(features=3, length=6), batch=3, loss='mse', per_step=True,
        layers=[rec('lstm', 'cell', 5, peephole=True), dense('out', 2, per_step=True)]),
    'gru_before': dict(
        input=dict(vocab=6, embedding=3, length=6), batch=4, loss='binary_cross_entropy',
        per_step=False,
        layers=[rec('gru', 'cell', 5, reset_after=False), dense('out', 1, 'sigmoid')]),
    'mask_padding_steps': dict(
        input=dict(vocab=7, embedding=3, length=7, mask='padding', padding_id=0), batch=4,
        loss='cross_entropy', per_step=True,
        # real steps per row: all; first 4; from step 2; all but steps 3 and 6
        pads=[[], [4, 5, 6], [0, 1], [3, 6]],
        layers=[rec('lstm', 'enc', 5), rec('gru', 'dec', 4),
                dense('out', 4, 'softmax', per_step=True)]),
    'mask_padding_last': dict(
        input=dict(vocab=6, length=6, mask='padding', padding_id=0), batch=4,
        loss='binary_cross_entropy', per_step=False,
        pads=[[], [4, 5], [0, 1, 2], [2]],
        layers=[rec('simple_rnn', 'cell', 5), dense('out', 1, 'sigmoid')]),
    'mask_lengths': dict(
        input=dict(features=3, length=6, mask='lengths'), batch=4, loss='mse', per_step=True,
        lengths=[6, 3, 1, 5],
        layers=[rec('gru', 'cell', 4), dense('out', 2, per_step=True)]),
    # Keras input dropout on one-hot ids: the fixture carries dropout_seed,
    # and the reference draws rnnc's mask from it (DropoutRng)
    'onehot_dropout': dict(
        input=dict(vocab=6, length=5), batch=5, loss='cross_entropy', per_step=True,
        dropout_seed=12345,
        layers=[rec('gru', 'cell', 4, dropout=0.4), dense('out', 6, 'softmax', per_step=True)]),
    'opt_sgd': dict(
        input=dict(features=3, length=5), batch=3, loss='mse', per_step=True, train=True,
        optimizer=dict(kind='sgd', lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01),
        schedule=dict(kind='exponential', gamma=0.5), clip_norm=0.25,
        layers=[rec('lstm', 'cell', 4), dense('out', 2, per_step=True)]),
    'opt_rmsprop': dict(
        input=dict(vocab=5, embedding=3, length=6), batch=3, loss='cross_entropy',
        per_step=True, train=True,
        optimizer=dict(kind='rmsprop', lr=0.01, rho=0.8, momentum=0.0, centered=False,
                       eps=1e-8, weight_decay=0.0),
        clip_norm=0.25,
        layers=[rec('gru', 'cell', 4), dense('out', 5, 'softmax', per_step=True)]),
    'opt_rmsprop_centered': dict(
        input=dict(features=3, length=5), batch=4, loss='binary_cross_entropy',
        per_step=False, train=True,
        optimizer=dict(kind='rmsprop', lr=0.01, rho=0.9, momentum=0.5, centered=True,
                       eps=1e-6, weight_decay=0.0),
        clip_norm=0.25,
        layers=[rec('simple_rnn', 'cell', 5), dense('out', 2, 'sigmoid')]),
    'opt_adam': dict(
        input=dict(features=3, length=5), batch=3, loss='mse', per_step=True, train=True,
        optimizer=adam(lr=0.01, beta1=0.8, beta2=0.95, eps=1e-7, weight_decay=0.01),
        clip_norm=0.25,
        layers=[rec('lstm', 'cell', 4), dense('out', 2, per_step=True)]),
    'opt_adagrad': dict(
        input=dict(features=3, length=5), batch=3, loss='mse', per_step=True, train=True,
        optimizer=dict(kind='adagrad', lr=0.05, initial_accumulator=0.1, eps=1e-10,
                       weight_decay=0.0),
        clip_norm=0.25,
        layers=[rec('gru', 'cell', 4), dense('out', 2, per_step=True)]),
}

# docs/language.md 3.7.1: every optimizer's defaults
OPT_DEFAULTS = {
    'sgd': dict(lr=0.01, momentum=0.0, nesterov=False, weight_decay=0.0),
    'rmsprop': dict(lr=0.001, momentum=0.0, rho=0.9, centered=False, eps=1e-8,
                    weight_decay=0.0),
    'adam': dict(lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0),
    'adagrad': dict(lr=0.01, eps=1e-10, initial_accumulator=0.0, weight_decay=0.0),
}


def optimizer_of(cfg):
    o = cfg.get('optimizer', dict(kind='adam'))
    full = dict(OPT_DEFAULTS[o['kind']])
    full.update(o)
    return full


# --------------------------------------------------------------------------
# Parameter names and shapes, as rnnc lays them out (docs/language.md 5.5)
# --------------------------------------------------------------------------

GATES = {'simple_rnn': 1, 'lstm': 4, 'gru': 3}


def param_shapes(cfg):
    inp = cfg['input']
    shapes = []
    if inp.get('embedding', 0):
        shapes.append(('embedding.weight', [inp['vocab'], inp['embedding']]))
        width = inp['embedding']
    else:
        width = inp.get('vocab', 0) or inp['features']
    for layer in cfg['layers']:
        n = layer['name']
        if layer['kind'] == 'dense':
            shapes += [(n + '.weight', [layer['units'], width]), (n + '.bias', [layer['units']])]
        else:
            gh = GATES[layer['kind']] * layer['units']
            shapes += [(n + '.weight_ih', [gh, width]), (n + '.weight_hh', [gh, layer['units']]),
                       (n + '.bias_ih', [gh])]
            if layer['biases'] == 2:
                shapes.append((n + '.bias_hh', [gh]))
            if layer['peephole']:
                shapes.append((n + '.peephole', [3 * layer['units']]))
        width = layer['units']
    return shapes


# --------------------------------------------------------------------------
# `rnnc ir` must agree with the configuration above
# --------------------------------------------------------------------------

def parse_fields(words):
    out = {}
    for w in words:
        if '=' in w:
            k, v = w.split('=', 1)
            out[k] = v
    return out


def check_against_ir(name, cfg, rnnc):
    spec = os.path.join(HERE, 'specs', name + '.rnn')
    ir = subprocess.run([rnnc, 'ir', spec], check=True, capture_output=True,
                        text=True).stdout.splitlines()
    lines = [l.split() for l in ir]
    errors = []

    def expect(what, got, want):
        if got != want:
            errors.append('%s: rnnc ir has %r, make_fixtures.py %r' % (what, got, want))

    by_kind = {}
    for l in lines:
        by_kind.setdefault(l[0], []).append(l)
    expect('model', by_kind['model'][0][1], name)
    inp = cfg['input']
    f = parse_fields(by_kind['input'][0])
    expect('input kind', f['kind'], 'tokens' if 'vocab' in inp else 'features')
    expect('vocab', int(f['vocab']), inp.get('vocab', 0))
    expect('features', int(f['features']), inp.get('features', 0))
    expect('embedding', int(f['embedding']), inp.get('embedding', 0))
    expect('length', int(f['length']), inp['length'])
    expect('mask', f['mask'], inp.get('mask', 'none'))
    expect('padding_id', int(f['padding_id']), inp.get('padding_id', 0))
    ir_layers = by_kind['layer']
    expect('layer count', len(ir_layers), len(cfg['layers']))
    for l, layer in zip(ir_layers, cfg['layers']):
        f = parse_fields(l)
        what = 'layer ' + layer['name']
        expect(what + ' kind', l[2], layer['kind'])
        expect(what + ' name', l[3], layer['name'])
        expect(what + ' units', int(f['units']), layer['units'])
        expect(what + ' act', f['act'], layer['act'])
        for key in ('dropout', 'recurrent_dropout', 'rate'):
            expect(what + ' ' + key, float(f[key]), layer.get(key, 0.0))
        if layer['kind'] == 'dense':
            expect(what + ' per_step', f['per_step'], '1' if layer['per_step'] else '0')
        else:
            expect(what + ' peephole', f['peephole'], '1' if layer['peephole'] else '0')
            expect(what + ' reset_after', f['reset_after'], '1' if layer['reset_after'] else '0')
            expect(what + ' biases', int(f['biases']), layer['biases'])
    f = parse_fields(by_kind['output'][0])
    expect('output per_step', f['per_step'], '1' if cfg['per_step'] else '0')
    expect('output units', int(f['units']), cfg['layers'][-1]['units'])
    params = [(l[1], [int(v) for v in l[3].strip('[]').split(',')]) for l in by_kind['param']]
    want = [(n, s if len(s) == 2 else [s[0], 1]) for n, s in param_shapes(cfg)]
    expect('parameters', params, want)
    train = [parse_fields(l) for l in by_kind['train']]
    t = train[0]
    expect('batch', int(t['batch']), cfg['batch'])
    expect('loss', t['loss'], cfg['loss'])
    opt = optimizer_of(cfg)
    expect('optimizer', t['optimizer'], opt['kind'])
    for key, val in opt.items():
        if key == 'kind':
            continue
        ir_key = key
        got = t[ir_key]
        if isinstance(val, bool):
            expect('optimizer ' + key, got, '1' if val else '0')
        else:
            expect('optimizer ' + key, float(got), float(val))
    sched = cfg.get('schedule', dict(kind='constant'))
    s = parse_fields(by_kind['schedule'][0])
    expect('schedule', by_kind['schedule'][0][1], sched['kind'])
    expect('warmup', int(s['warmup']), 0)
    if sched['kind'] == 'exponential':
        expect('schedule gamma', float(s['gamma']), sched['gamma'])
    elif sched['kind'] != 'constant':
        errors.append('schedule %s is not modelled here' % sched['kind'])
    t2 = train[1]
    expect('clip_norm', float(t2['clip_norm']), float(cfg.get('clip_norm', 0)))
    expect('stateful', t2['stateful'], '0')
    if errors:
        sys.exit('make_fixtures.py: %s disagrees with %s:\n  %s' %
                 (name, spec, '\n  '.join(errors)))


# --------------------------------------------------------------------------
# The torch model
# --------------------------------------------------------------------------

def lstm_step_explicit(x, h, c, w_ih, w_hh, b_ih, b_hh, peep):
    """runtime/kernels/rnn.h's lstm, gates i, f, g, o; peep [3H] = p_i, p_f, p_o."""
    H = h.shape[1]
    pre = x @ w_ih.t() + h @ w_hh.t() + b_ih
    if b_hh is not None:
        pre = pre + b_hh
    pi, pf, pg, po = pre[:, :H], pre[:, H:2 * H], pre[:, 2 * H:3 * H], pre[:, 3 * H:]
    if peep is not None:
        pi = pi + peep[:H] * c
        pf = pf + peep[H:2 * H] * c
    i = torch.sigmoid(pi)
    f = torch.sigmoid(pf)
    g = torch.tanh(pg)
    c_new = f * c + i * g
    if peep is not None:
        po = po + peep[2 * H:] * c_new
    o = torch.sigmoid(po)
    return o * torch.tanh(c_new), c_new


def gru_step_explicit(x, h, w_ih, w_hh, b_ih, b_hh, reset_after):
    """runtime/kernels/rnn.h's gru, gates r, z, n, reset after or before W_hn."""
    H = h.shape[1]
    xp = x @ w_ih.t() + b_ih
    bh = b_hh if b_hh is not None else torch.zeros(3 * H, dtype=DT)
    if reset_after:
        hp = h @ w_hh.t() + bh
        r = torch.sigmoid(xp[:, :H] + hp[:, :H])
        z = torch.sigmoid(xp[:, H:2 * H] + hp[:, H:2 * H])
        n = torch.tanh(xp[:, 2 * H:] + r * hp[:, 2 * H:])
    else:
        r = torch.sigmoid(xp[:, :H] + h @ w_hh[:H].t() + bh[:H])
        z = torch.sigmoid(xp[:, H:2 * H] + h @ w_hh[H:2 * H].t() + bh[H:2 * H])
        n = torch.tanh(xp[:, 2 * H:] + (r * h) @ w_hh[2 * H:].t() + bh[2 * H:])
    return (1 - z) * n + z * h


class Recurrent:
    """One recurrent layer; its parameters are nn.Parameters shared with the
    torch modules that run it."""

    def __init__(self, layer, in_width):
        self.layer = layer
        kind, H = layer['kind'], layer['units']
        G = GATES[kind]
        self.explicit = layer['peephole'] or (kind == 'gru' and not layer['reset_after'])
        self.params = {}
        if kind == 'simple_rnn':
            self.seq = nn.RNN(in_width, H, nonlinearity=layer['act']).to(DT)
            self.cell = nn.RNNCell(in_width, H, nonlinearity=layer['act']).to(DT)
        elif kind == 'lstm':
            self.seq = nn.LSTM(in_width, H).to(DT)
            self.cell = nn.LSTMCell(in_width, H).to(DT)
        else:
            self.seq = nn.GRU(in_width, H).to(DT)
            self.cell = nn.GRUCell(in_width, H).to(DT)
        # one set of Parameters, seen by both modules under their names
        w_ih = nn.Parameter(torch.empty(G * H, in_width, dtype=DT))
        w_hh = nn.Parameter(torch.empty(G * H, H, dtype=DT))
        b_ih = nn.Parameter(torch.empty(G * H, dtype=DT))
        if layer['biases'] == 2:
            b_hh = nn.Parameter(torch.empty(G * H, dtype=DT))
        else:  # one bias: b_hh is a constant 0, not a parameter
            b_hh = nn.Parameter(torch.zeros(G * H, dtype=DT), requires_grad=False)
        for mod, suffix in ((self.seq, '_l0'), (self.cell, '')):
            setattr(mod, 'weight_ih' + suffix, w_ih)
            setattr(mod, 'weight_hh' + suffix, w_hh)
            setattr(mod, 'bias_ih' + suffix, b_ih)
            setattr(mod, 'bias_hh' + suffix, b_hh)
        self.seq.flatten_parameters()
        n = layer['name']
        self.params[n + '.weight_ih'] = w_ih
        self.params[n + '.weight_hh'] = w_hh
        self.params[n + '.bias_ih'] = b_ih
        if layer['biases'] == 2:
            self.params[n + '.bias_hh'] = b_hh
        self.b_hh = b_hh if layer['biases'] == 2 else None
        self.peep = None
        if layer['peephole']:
            self.peep = nn.Parameter(torch.empty(3 * H, dtype=DT))
            self.params[n + '.peephole'] = self.peep
        self.w_ih, self.w_hh, self.b_ih = w_ih, w_hh, b_ih

    def step(self, x, h, c):
        """One step without a mask: torch's cell module, or the explicit
        equations where torch has none."""
        kind = self.layer['kind']
        if kind == 'lstm':
            if self.explicit:
                return lstm_step_explicit(x, h, c, self.w_ih, self.w_hh, self.b_ih, self.b_hh,
                                          self.peep)
            return self.cell(x, (h, c))
        if kind == 'gru' and self.explicit:
            return gru_step_explicit(x, h, self.w_ih, self.w_hh, self.b_ih, self.b_hh,
                                     reset_after=False), None
        return self.cell(x, h), None

    def run(self, xs, mask):
        """xs [T][B][I], mask [T][B] (1 real, 0 padding) or None. Returns the
        states of every step [T][B][H] (a masked step repeats the state
        before it) and the final h (and c)."""
        T, B = xs.shape[0], xs.shape[1]
        H = self.layer['units']
        if mask is None and not self.explicit:
            out, hn = self.seq(xs)
            if self.layer['kind'] == 'lstm':
                return out, hn[0][0], hn[1][0]
            return out, hn[0], None
        h = torch.zeros(B, H, dtype=DT)
        c = torch.zeros(B, H, dtype=DT) if self.layer['kind'] == 'lstm' else None
        hs = []
        for t in range(T):
            h_new, c_new = self.step(xs[t], h, c)
            if mask is not None:  # padding: the state passes through unchanged
                m = mask[t].unsqueeze(1)
                h_new = torch.where(m > 0, h_new, h)
                if c is not None:
                    c_new = torch.where(m > 0, c_new, c)
            h, c = h_new, c_new
            hs.append(h)
        return torch.stack(hs), h, c


class DropoutRng:
    """runtime/kernels/rng.c in Python: xoshiro256** seeded by splitmix64,
    and rnn_dropout_mask's rule (keep 1/(1-p) when a uniform draw of 53
    bits is >= p), so a fixture can use the masks rnnc draws from a seed."""
    M = (1 << 64) - 1

    def __init__(self, seed):
        x, self.s = seed & self.M, []
        for _ in range(4):
            x = (x + 0x9E3779B97F4A7C15) & self.M
            z = x
            z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & self.M
            z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & self.M
            self.s.append(z ^ (z >> 31))

    @staticmethod
    def rotl(x, k):
        return ((x << k) | (x >> (64 - k))) & DropoutRng.M

    def next(self):
        s = self.s
        result = (self.rotl((s[1] * 5) & self.M, 7) * 9) & self.M
        t = (s[1] << 17) & self.M
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = self.rotl(s[3], 45)
        return result

    def mask(self, n, p):
        keep = 1.0 / (1.0 - p)
        return torch.tensor([keep if (self.next() >> 11) * 2.0 ** -53 >= p else 0.0
                             for _ in range(n)], dtype=DT)


class Model:
    def __init__(self, name, cfg):
        self.name, self.cfg = name, cfg
        inp = cfg['input']
        self.params = {}
        self.embedding = None
        if inp.get('embedding', 0):
            self.embedding = nn.Embedding(inp['vocab'], inp['embedding']).to(DT)
            self.params['embedding.weight'] = self.embedding.weight
            width = inp['embedding']
        else:
            width = inp.get('vocab', 0) or inp['features']
        self.layers = []
        for layer in cfg['layers']:
            if layer['kind'] == 'dense':
                lin = nn.Linear(width, layer['units']).to(DT)
                self.params[layer['name'] + '.weight'] = lin.weight
                self.params[layer['name'] + '.bias'] = lin.bias
                self.layers.append(('dense', layer, lin))
            else:
                r = Recurrent(layer, width)
                self.params.update(r.params)
                self.layers.append(('rec', layer, r))
            width = layer['units']
        names = [n for n, _ in param_shapes(cfg)]
        assert list(self.params) == names, (list(self.params), names)
        for n, s in param_shapes(cfg):
            assert list(self.params[n].shape) == s, (n, self.params[n].shape, s)

    def forward(self, x, mask, rng=None):
        """x: [T][B] long ids or [T][B][F]; RNG: a DropoutRng when dropout
        is on (only a first layer's input dropout on one-hot ids is
        modelled). Returns (out, pre, finals): the output after its
        activation, its pre-activation, {name: (h, c)}."""
        inp = self.cfg['input']
        if self.embedding is not None:
            seq = self.embedding(x)
        elif 'vocab' in inp:
            seq = F.one_hot(x, inp['vocab']).to(DT)
        else:
            seq = x
        first = self.cfg['layers'][0]
        if rng is not None and first.get('dropout', 0.0) > 0:
            assert 'vocab' in inp and self.embedding is None
            # Keras: one mask per sequence over the input vector, every step
            B, V = seq.shape[1], seq.shape[2]
            seq = seq * rng.mask(B * V, first['dropout']).reshape(1, B, V)
        per_step = True
        finals = {}
        pre = None
        for kind, layer, mod in self.layers:
            if kind == 'rec':
                seq, h, c = mod.run(seq, mask)
                finals[layer['name']] = (h, c)
                continue
            if per_step and not layer['per_step']:
                seq = seq[-1]  # the last state: h[T]
                per_step = False
            assert per_step == layer['per_step'] or not per_step
            pre = mod(seq)
            act = layer['act']
            if act == 'linear':
                seq = pre
            elif act == 'relu':
                seq = torch.relu(pre)
            elif act == 'tanh':
                seq = torch.tanh(pre)
            elif act == 'sigmoid':
                seq = torch.sigmoid(pre)
            else:
                seq = torch.softmax(pre, dim=-1)
        assert pre is not None, 'parity models end with a dense layer'
        assert per_step == self.cfg['per_step']
        return seq, pre, finals

    def loss(self, out, pre, y, mask):
        """Mean over the unmasked rows (per-step outputs: [T*B] rows)."""
        loss = self.cfg['loss']
        if self.cfg['per_step']:
            out = out.reshape(-1, out.shape[-1])
            pre = pre.reshape(-1, pre.shape[-1])
            y = y.reshape(out.shape[0], -1) if loss != 'cross_entropy' else y.reshape(-1)
            if mask is not None:
                keep = mask.reshape(-1) > 0
                out, pre, y = out[keep], pre[keep], y[keep]
        if loss == 'cross_entropy':
            return nn.CrossEntropyLoss()(pre, y)
        if loss == 'binary_cross_entropy':
            return nn.BCELoss()(out, y)
        return nn.MSELoss()(out, y)


def self_check():
    """The explicit equations agree with torch's modules where it has them."""
    g = torch.Generator().manual_seed(99)
    B, I, H = 3, 4, 5
    x = torch.rand(B, I, generator=g, dtype=DT) - 0.5
    h = torch.rand(B, H, generator=g, dtype=DT) - 0.5
    c = torch.rand(B, H, generator=g, dtype=DT) - 0.5
    lstm = nn.LSTMCell(I, H).to(DT)
    h1, c1 = lstm_step_explicit(x, h, c, lstm.weight_ih, lstm.weight_hh, lstm.bias_ih,
                                lstm.bias_hh, torch.zeros(3 * H, dtype=DT))
    h2, c2 = lstm(x, (h, c))
    assert torch.allclose(h1, h2, rtol=0, atol=1e-14) and torch.allclose(c1, c2, rtol=0,
                                                                          atol=1e-14)
    gru = nn.GRUCell(I, H).to(DT)
    h1 = gru_step_explicit(x, h, gru.weight_ih, gru.weight_hh, gru.bias_ih, gru.bias_hh, True)
    assert torch.allclose(h1, gru(x, h), rtol=0, atol=1e-14)


# --------------------------------------------------------------------------
# Data, training, the fixture
# --------------------------------------------------------------------------

def make_data(cfg, gen):
    inp = cfg['input']
    T, B = inp['length'], cfg['batch']
    mask = None
    lengths = None
    if 'vocab' in inp:
        V = inp['vocab']
        low = 1 if inp.get('mask') == 'padding' else 0
        x = torch.randint(low, V, (T, B), generator=gen)
        if inp.get('mask') == 'padding':
            pid = inp['padding_id']
            assert pid == 0
            for b, pads in enumerate(cfg['pads']):
                for t in pads:
                    x[t, b] = pid
            mask = (x != pid).to(DT)
    else:
        x = torch.randn(T, B, inp['features'], generator=gen, dtype=DT)
    if inp.get('mask') == 'lengths':
        lengths = torch.tensor(cfg['lengths'], dtype=torch.long)
        mask = (torch.arange(T).unsqueeze(1) < lengths.unsqueeze(0)).to(DT)
    out = cfg['layers'][-1]['units']
    rows = (T, B) if cfg['per_step'] else (B,)
    if cfg['loss'] == 'cross_entropy':
        y = torch.randint(0, out, rows, generator=gen)
    elif cfg['loss'] == 'binary_cross_entropy':
        y = torch.randint(0, 2, rows + (out,), generator=gen).to(DT)
    else:
        y = torch.randn(rows + (out,), generator=gen, dtype=DT)
    return x, y, mask, lengths


def make_optimizer(cfg, params):
    o = optimizer_of(cfg)
    k = o['kind']
    if k == 'sgd':
        opt = torch.optim.SGD(params, lr=o['lr'], momentum=o['momentum'],
                              nesterov=o['nesterov'], weight_decay=o['weight_decay'])
    elif k == 'rmsprop':
        opt = torch.optim.RMSprop(params, lr=o['lr'], alpha=o['rho'], eps=o['eps'],
                                  momentum=o['momentum'], centered=o['centered'],
                                  weight_decay=o['weight_decay'])
    elif k == 'adam':
        opt = torch.optim.Adam(params, lr=o['lr'], betas=(o['beta1'], o['beta2']),
                               eps=o['eps'], weight_decay=o['weight_decay'])
    else:
        opt = torch.optim.Adagrad(params, lr=o['lr'], lr_decay=0,
                                  initial_accumulator_value=o['initial_accumulator'],
                                  eps=o['eps'], weight_decay=o['weight_decay'])
    sched = cfg.get('schedule', dict(kind='constant'))
    if sched['kind'] == 'exponential':
        lr_sched = torch.optim.lr_scheduler.ExponentialLR(opt, gamma=sched['gamma'])
    else:
        assert sched['kind'] == 'constant'
        lr_sched = None
    return opt, lr_sched


def write_fixture(path, tensors):
    with open(path, 'wb') as f:
        f.write(b'RNNCFIX\0')
        f.write(struct.pack('<II', 1, len(tensors)))
        for name, t in tensors:
            t = t.detach().to(DT).contiguous()
            nb = name.encode()
            f.write(struct.pack('<I', len(nb)))
            f.write(nb)
            f.write(struct.pack('<I', t.dim()))
            f.write(struct.pack('<%dI' % t.dim(), *t.shape))
            f.write(struct.pack('<%dd' % t.numel(), *t.reshape(-1).tolist()))


def build(name, cfg, rnnc, out_dir):
    check_against_ir(name, cfg, rnnc)
    seed = zlib.crc32(name.encode())
    torch.manual_seed(seed)
    model = Model(name, cfg)
    with torch.no_grad():
        for n, p in model.params.items():
            p.uniform_(-0.5, 0.5)
    gen = torch.Generator().manual_seed(seed + 1)
    x, y, mask, lengths = make_data(cfg, gen)
    params = list(model.params.values())
    init = [(n, p.detach().clone()) for n, p in model.params.items()]

    dropout_seed = cfg.get('dropout_seed')
    rng = DropoutRng(dropout_seed) if dropout_seed is not None else None
    out, pre, finals = model.forward(x, mask, rng)
    loss = model.loss(out, pre, y, mask)
    for p in params:
        p.grad = None
    loss.backward()

    tensors = list(init)
    tensors.append(('x', x.to(DT)))
    if dropout_seed is not None:
        tensors.append(('dropout_seed', torch.tensor(float(dropout_seed), dtype=DT)))
    tensors.append(('y', y.to(DT)))
    if lengths is not None:
        tensors.append(('lengths', lengths.to(DT)))
    tensors.append(('out', out))
    for layer in cfg['layers']:
        if layer['kind'] == 'dense':
            continue
        h, c = finals[layer['name']]
        tensors.append(('h_final.' + layer['name'], h))
        if c is not None:
            tensors.append(('c_final.' + layer['name'], c))
    tensors.append(('loss', loss.reshape(())))
    for n, p in model.params.items():
        tensors.append(('grad.' + n, p.grad.clone()))

    notes = ''
    if cfg.get('train'):
        opt, lr_sched = make_optimizer(cfg, params)
        norms = []
        for k in range(1, TRAIN_STEPS + 1):
            opt.zero_grad(set_to_none=True)
            out_k, pre_k, _ = model.forward(x, mask)
            model.loss(out_k, pre_k, y, mask).backward()
            norms.append(float(torch.nn.utils.clip_grad_norm_(params, cfg['clip_norm'])))
            opt.step()
            if lr_sched is not None:
                lr_sched.step()
            for n, p in model.params.items():
                tensors.append(('step%d.%s' % (k, n), p.detach().clone()))
        assert all(nm > cfg['clip_norm'] for nm in norms), \
            '%s: clipping must act at every step (norms %s)' % (name, norms)
        notes = ', grad norms %s' % ', '.join('%.4f' % nm for nm in norms)

    path = os.path.join(out_dir, name + '.bin')
    write_fixture(path, tensors)
    print('%-22s loss %.6f, %d tensors, %d bytes%s' %
          (name, float(loss), len(tensors), os.path.getsize(path), notes))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--rnnc', default=os.path.join(ROOT, 'build', 'rnnc'))
    ap.add_argument('--out', default=os.path.join(HERE, 'fixtures'))
    ap.add_argument('names', nargs='*')
    args = ap.parse_args()
    torch.set_default_dtype(DT)
    self_check()
    specs = sorted(f[:-4] for f in os.listdir(os.path.join(HERE, 'specs')) if f.endswith('.rnn'))
    missing = set(specs) ^ set(MODELS)
    if missing:
        sys.exit('make_fixtures.py: specs and MODELS differ: %s' % ', '.join(sorted(missing)))
    os.makedirs(args.out, exist_ok=True)
    for name in args.names or specs:
        if name not in MODELS:
            sys.exit('make_fixtures.py: no model %r' % name)
        build(name, MODELS[name], args.rnnc, args.out)


if __name__ == '__main__':
    main()
