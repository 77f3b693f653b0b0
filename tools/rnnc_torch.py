#!/usr/bin/python3
"""rnnc_torch.py - an rnnc model as a PyTorch module, and back.

  rnnc_torch.py export SPEC [FILE] [-o DIR] [--name NAME] [--ignore-hash]
      FILE (a checkpoint or a parameter file of the model SPEC describes)
      -> DIR/NAME.py, a standalone module `class NAME(nn.Module)` of the same
      architecture, and DIR/NAME.pt, its state_dict. Without FILE only
      NAME.py is written (PyTorch's own initialization).
  rnnc_torch.py import SPEC STATE_DICT -o OUT [--vocab FILE] [--double]
      a state_dict of that module (torch.save(m.state_dict(), PATH))
      -> OUT, an rnnc parameter file (RNNCPARM) stamped with SPEC's hash,
      which the program reads with --checkpoint OUT (eval, predict, sample,
      info) and `train --init OUT`.
  rnnc_torch.py onnx SPEC FILE [-o NAME.onnx] [--ignore-hash]
      FILE -> NAME.onnx, an ONNX model (opset 14) of the model's inference:
      the program's inputs, time first, and what its predict prints before
      formatting. Needs onnx (python3-onnx), not torch.

All take --rnnc PATH (default: $RNNC, else build/rnnc next to tools/,
else `rnnc` on PATH): the architecture comes from `rnnc yaml SPEC`, and the
spec hash is the SHA-256 of those bytes (docs/language.md section 7).

How rnnc's tensors map onto PyTorch's, and the limits: docs/interop.md.
Exit status: 0 done, 1 error (nothing is written), 2 usage.
"""
import argparse
import builtins
import collections
import hashlib
import keyword
import os
import shutil
import subprocess
import sys
import textwrap

HERE = os.path.dirname(os.path.abspath(__file__))
PROG = 'rnnc_torch'
RECURRENT = ('simple_rnn', 'lstm', 'gru')
GATES = {'simple_rnn': 1, 'lstm': 4, 'gru': 3}


class Error(Exception):
    """A problem the user can fix; main prints it and exits 1."""


# --------------------------------------------------------------------------
# The spec, as `rnnc yaml` prints it
# --------------------------------------------------------------------------

def find_rnnc(given):
    """The rnnc to ask: --rnnc, $RNNC, the build next to tools/, PATH."""
    for cand in (given, os.environ.get('RNNC'), os.path.join(HERE, '..', 'build', 'rnnc')):
        if cand and os.path.isfile(cand) and os.access(cand, os.X_OK):
            return cand
    if given:
        raise Error("--rnnc %s: not an executable file" % given)
    found = shutil.which('rnnc')
    if not found:
        raise Error("cannot find rnnc: build it (scripts/build.sh), or give --rnnc PATH "
                    "or set RNNC")
    return found


class Layer:
    """One layer of the checked model: kind, name and its settings."""

    def __init__(self, kind, name, settings):
        self.kind, self.name = kind, name
        self.units = settings.get('units', 0)
        self.activation = settings.get('activation', 'linear')
        self.dropout = float(settings.get('dropout', 0) or 0)
        self.recurrent_dropout = float(settings.get('recurrent_dropout', 0) or 0)
        self.return_sequences = bool(settings.get('return_sequences', False))
        self.biases = settings.get('biases', 2)
        self.peephole = bool(settings.get('peephole', False))
        self.reset_after = bool(settings.get('reset_after', True))
        self.per_step = bool(settings.get('per_step', False))
        self.rate = float(settings.get('rate', 0) or 0)
        self.width_in = 0  # filled by Model
        self.attr = name   # the attribute in the torch module; Model may rename it

    @property
    def recurrent(self):
        return self.kind in RECURRENT

    @property
    def stock(self):
        """Whether a stock nn.RNN / nn.LSTM / nn.GRU computes this layer."""
        return self.recurrent and not self.peephole and not (
            self.kind == 'gru' and not self.reset_after)

    def qualifier(self):
        """What sets the cell apart from others of its kind: 'reset after'."""
        return {'simple_rnn': self.activation,
                'lstm': 'peephole' if self.peephole else '',
                'gru': 'reset %s' % ('after' if self.reset_after else 'before')}[self.kind]

    def describe(self):
        """Kind, name and qualifier: 'gru mid, reset after'."""
        q = self.qualifier()
        return '%s %s%s' % (self.kind, self.name, ', ' + q if q else '')


class Model:
    """What the exporter and the importer need to know of a spec."""

    def __init__(self, canonical, spec_path, torch_names=True):
        try:
            import yaml  # python3-yaml (Debian's python3-torch depends on it)
        except ImportError:
            raise Error("reading the spec needs PyYAML: install python3-yaml (or pip install "
                        "pyyaml)")
        self.canonical = canonical
        self.hash = hashlib.sha256(canonical).hexdigest()
        self.spec_path = spec_path
        doc = yaml.safe_load(canonical.decode('utf-8'))
        (head, body), = doc.items()
        self.name = head.split()[1]
        inp = body['input']
        self.vocab = inp.get('vocab', 0)
        self.features = inp.get('features', 0)
        self.tokens = self.vocab > 0
        self.embedding = inp.get('embedding', 0) if self.tokens else 0
        self.length = inp['length']
        self.mask = inp.get('mask', 'none')
        self.padding_id = inp.get('padding_id', 0)
        train = body.get('train', {})
        self.batch = train.get('batch', 32)
        self.loss = train.get('loss', 'mse')
        self.stateful = bool(train.get('stateful', False))
        self.n_slots = 0
        for key, opt in train.items():
            if key.startswith('optimizer'):
                self.n_slots = optimizer_slots(key.split()[1], opt or {})
        self.layers = []
        width = self.embedding or self.vocab or self.features
        for item in body['layers']:
            (key, settings), = item.items()
            kind, name = key.split()
            layer = Layer(kind, name, settings or {})
            layer.width_in = width
            if kind != 'dropout':
                width = layer.units
            self.layers.append(layer)
        self.out_units = width
        last = self.layers[-1]
        self.out_activation = last.activation if last.kind == 'dense' else 'linear'
        self.per_step = self._per_step()
        if torch_names:  # the torch module's attributes (export, import)
            self.name_attributes()

    def _per_step(self):
        per_step = True
        for layer in self.layers:
            if layer.recurrent:
                per_step = layer.return_sequences
            elif layer.kind == 'dense':
                per_step = layer.per_step
        return per_step

    def name_attributes(self):
        """Each layer's attribute in the module is its name, with '_'
        appended while that is a Python keyword or clashes with nn.Module's
        own attributes or the generated class's."""
        import torch.nn as nn
        taken = set(dir(nn.Module)) | set(keyword.kwlist) | CLASS_ATTRIBUTES
        for layer in self.layers:
            attr = layer.name
            while attr in taken:
                attr += '_'
            layer.attr = attr
            taken.add(attr)
        self.dropout_attrs = {}
        for layer in self.layers:
            for which, rate in (('dropout', layer.dropout),
                                ('recurrent_dropout', layer.recurrent_dropout)):
                if layer.recurrent and rate > 0:
                    attr = '%s_%s' % (layer.attr, which)
                    while attr in taken:
                        attr += '_'
                    taken.add(attr)
                    self.dropout_attrs[(layer.name, which)] = attr

    @property
    def recurrent_layers(self):
        return [l for l in self.layers if l.recurrent]


def optimizer_slots(kind, opt):
    """Tensors the size of the parameters the optimizer keeps
    (docs/language.md section 6.3), as the program's MODL section says."""
    if kind == 'sgd':
        return 1 if float(opt.get('momentum', 0)) > 0 else 0
    if kind == 'rmsprop':
        return 1 + (float(opt.get('momentum', 0)) > 0) + bool(opt.get('centered', False))
    if kind == 'adam':
        return 2
    return 1


def load_spec(spec, rnnc, torch_names=True):
    """The checked model of SPEC, from `rnnc yaml`; TORCH_NAMES False leaves
    out the torch module's attribute names (and so needs no torch)."""
    if not os.path.exists(spec):
        raise Error("%s: no such spec file" % spec)
    run = subprocess.run([rnnc, 'yaml', spec], capture_output=True)
    if run.returncode != 0:
        sys.stderr.write(run.stderr.decode('utf-8', 'replace'))
        raise Error("%s: rnnc cannot check the spec (above); fix it first" % spec)
    return Model(run.stdout, spec, torch_names)


# --------------------------------------------------------------------------
# Tensors: rnnc's names and PyTorch's (docs/language.md section 5.5)
# --------------------------------------------------------------------------

class Tensor:
    """One parameter: its rnnc name (None for a stock module's bias_hh_l0 that
    stands in for `biases 1`), its key in the state_dict, its shape, and
    the layer it belongs to."""

    def __init__(self, rnnc, torch, shape, layer=None, role=None):
        self.rnnc, self.torch, self.shape, self.layer, self.role = rnnc, torch, tuple(shape), \
            layer, role


def tensors(model):
    """Every tensor of MODEL in rnnc's order (the torch module registers its
    parameters in the same order)."""
    out = []
    if model.embedding:
        out.append(Tensor('embedding.weight', 'embedding.weight',
                          (model.vocab, model.embedding)))
    for layer in model.layers:
        n, a = layer.name, layer.attr
        if layer.kind == 'dense':
            out.append(Tensor(n + '.weight', a + '.weight', (layer.units, layer.width_in),
                              layer, 'weight'))
            out.append(Tensor(n + '.bias', a + '.bias', (layer.units,), layer, 'bias'))
        elif layer.recurrent:
            gh = GATES[layer.kind] * layer.units
            sfx = '_l0' if layer.stock else ''
            out.append(Tensor(n + '.weight_ih', a + '.weight_ih' + sfx,
                              (gh, layer.width_in), layer, 'weight_ih'))
            out.append(Tensor(n + '.weight_hh', a + '.weight_hh' + sfx, (gh, layer.units),
                              layer, 'weight_hh'))
            out.append(Tensor(n + '.bias_ih', a + '.bias_ih' + sfx, (gh,), layer, 'bias_ih'))
            if layer.biases == 2:
                out.append(Tensor(n + '.bias_hh', a + '.bias_hh' + sfx, (gh,), layer,
                                  'bias_hh'))
            elif layer.stock:  # the stock module has it anyway: a frozen zero
                out.append(Tensor(None, a + '.bias_hh_l0', (gh,), layer, 'bias_hh'))
            if layer.peephole:
                out.append(Tensor(n + '.peephole', a + '.peephole', (3 * layer.units,), layer,
                                  'peephole'))
    return out


def shape_text(shape):
    return '[%s]' % ', '.join(str(s) for s in shape)


# --------------------------------------------------------------------------
# The generated module
# --------------------------------------------------------------------------

# Methods and constants of the generated class: layer attributes avoid them.
CLASS_ATTRIBUTES = {'logits', 'loss', 'step_mask', 'embedding'}
# Names at the top of the generated module: the class cannot take them.
MODULE_NAMES = {'torch', 'nn', 'F', 'DTYPE', 'LENGTH', 'VOCAB', 'PADDING_ID', 'BYTE_IDS',
                'encode', 'SequenceDropout', 'scan', 'rnn_step', 'lstm_step', 'gru_step',
                'run_rnn', 'PeepholeLSTM', 'GRUResetBefore'}

HELP_ENCODE = '''

def encode(text):
    """The token ids of TEXT (bytes), as the program reads it; a KeyError
    names a byte the vocabulary lacks."""
    return [BYTE_IDS[b] for b in text]
'''

HELP_SEQUENCE_DROPOUT = '''
class SequenceDropout(nn.Module):
    """Gal dropout, rnnc's `dropout` and `recurrent_dropout` of a recurrent
    layer: one mask per sequence, shared by all its steps, kept units scaled
    by 1/(1-p). Active in train() only."""

    def __init__(self, p):
        super().__init__()
        self.p = p

    def extra_repr(self):
        return 'p=%g' % self.p

    def mask(self, like, width):
        """A [B, width] mask for the batch of LIKE, or None in eval()."""
        if not self.training or self.p == 0:
            return None
        keep = torch.full((like.shape[0], width), 1 - self.p, dtype=like.dtype,
                          device=like.device)
        return torch.bernoulli(keep) / (1 - self.p)
'''

HELP_SCAN = '''
def scan(step, xp, state, mask):
    """Runs STEP over the steps of xp [B, T, G*H] (the input projection)
    from STATE, a tuple that starts with h. Where mask [B, T] is False the
    state passes through unchanged: rnnc's padding. Returns every step's h
    [B, T, H]."""
    hs = []
    for t in range(xp.shape[1]):
        new = step(xp[:, t], state)
        if mask is not None:
            keep = mask[:, t, None]
            new = tuple(torch.where(keep, n, s) for n, s in zip(new, state))
        state = new
        hs.append(state[0])
    return torch.stack(hs, 1)
'''

HELP_RNN_STEP = '''
def rnn_step(xp, state, w_hh, act, hmask):
    """simple_rnn: h = act(W_ih x + b_ih + W_hh h~ + b_hh); xp holds the
    input side, h~ = h * hmask (recurrent dropout) or h."""
    h, = state
    hin = h if hmask is None else h * hmask
    return act(xp + hin @ w_hh.t()),
'''

HELP_LSTM_STEP = '''
def lstm_step(xp, state, w_hh, peephole, hmask):
    """lstm, gates i, f, g, o as in nn.LSTM; peephole [3H] = p_i, p_f, p_o
    or None: i and f see c_{t-1}, o sees c_t. xp holds the input side and
    both biases; h~ = h * hmask enters the recurrent product only."""
    h, c = state
    hin = h if hmask is None else h * hmask
    i, f, g, o = (xp + hin @ w_hh.t()).chunk(4, 1)
    if peephole is not None:
        p_i, p_f, p_o = peephole.chunk(3)
        i = i + p_i * c
        f = f + p_f * c
    c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
    if peephole is not None:
        o = o + p_o * c
    return torch.sigmoid(o) * torch.tanh(c), c
'''

HELP_GRU_STEP = '''
def gru_step(xp, state, w_hh, b_hh, reset_after, hmask):
    """gru, gates r, z, n as in nn.GRU. reset_after: n = tanh(x_n + r *
    (W_hn h~ + b_hn)) (nn.GRU; xp holds b_ih); before: n = tanh(x_n +
    W_hn (r * h~)) (xp holds both biases, b_hh is None). h~ = h * hmask in
    the products, h itself in h = (1 - z) n + z h."""
    h, = state
    hin = h if hmask is None else h * hmask
    x_r, x_z, x_n = xp.chunk(3, 1)
    if reset_after:
        hp = hin @ w_hh.t()
        if b_hh is not None:
            hp = hp + b_hh
        h_r, h_z, h_n = hp.chunk(3, 1)
        r = torch.sigmoid(x_r + h_r)
        z = torch.sigmoid(x_z + h_z)
        n = torch.tanh(x_n + r * h_n)
    else:
        H = h.shape[1]
        h_r, h_z = (hin @ w_hh[:2 * H].t()).chunk(2, 1)
        r = torch.sigmoid(x_r + h_r)
        z = torch.sigmoid(x_z + h_z)
        n = torch.tanh(x_n + (r * hin) @ w_hh[2 * H:].t())
    return (1 - z) * n + z * h,
'''

HELP_RUN_RNN_DOC = (
    "Every step's h [B, T, H] of a stock one-layer batch_first {kinds} over x "
    "[B, T, I], from zeros. Without a mask and recurrent dropout that is the module "
    "itself; otherwise the same equations step by step, with rnnc's rules: a masked step "
    "keeps the state, and hmask multiplies h where it enters the recurrent product.")

HELP_RUN_RNN_HEAD = '''
def run_rnn(rnn, x, mask=None, hmask=None):
{doc}    if mask is None and hmask is None:
        return rnn(x)[0]
    h = x.new_zeros(x.shape[0], rnn.hidden_size)
    w_hh = rnn.weight_hh_l0
'''

HELP_RUN_RNN = {
    'gru': '''    if isinstance(rnn, nn.GRU):
        xp = F.linear(x, rnn.weight_ih_l0, rnn.bias_ih_l0)
        return scan(lambda xt, s: gru_step(xt, s, w_hh, rnn.bias_hh_l0, True, hmask),
                    xp, (h,), mask)
''',
    'lstm': '''    if isinstance(rnn, nn.LSTM):
        xp = F.linear(x, rnn.weight_ih_l0, rnn.bias_ih_l0 + rnn.bias_hh_l0)
        return scan(lambda xt, s: lstm_step(xt, s, w_hh, None, hmask), xp, (h, h), mask)
''',
    'simple_rnn': '''    if isinstance(rnn, nn.RNN):
        xp = F.linear(x, rnn.weight_ih_l0, rnn.bias_ih_l0 + rnn.bias_hh_l0)
        act = torch.tanh if rnn.nonlinearity == 'tanh' else torch.relu
        return scan(lambda xt, s: rnn_step(xt, s, w_hh, act, hmask), xp, (h,), mask)
''',
}

HELP_RUN_RNN_TAIL = '''    raise TypeError('run_rnn: %r is not a layer of this model' % (rnn,))
'''

HELP_CELL_MODULE = '''
class {cls}(nn.Module):
    """{doc}"""

    def __init__(self, input_size, hidden_size, bias_hh=True):
        super().__init__()
        self.input_size, self.hidden_size = input_size, hidden_size
        self.weight_ih = nn.Parameter(torch.empty({g} * hidden_size, input_size))
        self.weight_hh = nn.Parameter(torch.empty({g} * hidden_size, hidden_size))
        self.bias_ih = nn.Parameter(torch.empty({g} * hidden_size))
        if bias_hh:
            self.bias_hh = nn.Parameter(torch.empty({g} * hidden_size))
        else:
            self.register_parameter('bias_hh', None)
{extra_init}        self.reset_parameters()

    def extra_repr(self):
        return '%d, %d, bias_hh=%s' % (self.input_size, self.hidden_size,
                                       self.bias_hh is not None)

    def reset_parameters(self):
        """As nn.{stock}'s: every parameter U(-1/sqrt(H), 1/sqrt(H))."""
        bound = self.hidden_size ** -0.5
        for p in self.parameters():
            nn.init.uniform_(p, -bound, bound)

    def forward(self, x, mask=None, hmask=None):
        """Every step's h [B, T, H] over x [B, T, I], from zeros; mask and
        hmask as in run_rnn."""
        b = self.bias_ih if self.bias_hh is None else self.bias_ih + self.bias_hh
        xp = F.linear(x, self.weight_ih, b)
        h = x.new_zeros(x.shape[0], self.hidden_size)
        return scan(lambda xt, s: {step},
                    xp, {state}, mask)
'''

PEEPHOLE_DOC = '''An LSTM with diagonal peepholes, rnnc's `lstm { peephole true }`
    (TF's PeepholeLSTMCell): nn.LSTM's gates i, f, g, o, plus peephole [3H]
    = p_i, p_f, p_o; i and f see c_{t-1}, o sees c_t. Parameters named as
    nn.LSTMCell's, plus peephole.'''

RESET_BEFORE_DOC = '''A GRU with the reset gate before the recurrent product, rnnc's
    `gru { reset_after false }` (Cho et al. 2014; Keras reset_after=False):
    n = tanh(W_in x + b_in + W_hn (r * h) + b_hn), gates r, z, n as in
    nn.GRU. Parameters named as nn.GRUCell's.'''

ACTIVATION = {'linear': '{}', 'relu': 'torch.relu({})', 'tanh': 'torch.tanh({})',
              'sigmoid': 'torch.sigmoid({})', 'softmax': 'torch.softmax({}, -1)'}


def class_name_for(model, name):
    """The class (and file) name: NAME, or --name."""
    cls = name or model.name
    if not cls.isidentifier() or keyword.iskeyword(cls):
        raise Error("'%s' cannot name a Python class: give another with --name" % cls)
    if cls in MODULE_NAMES or cls in dir(builtins):
        raise Error("'%s' is a name the generated module uses itself: give another with "
                    "--name" % cls)
    return cls


def docstring(text, indent):
    """TEXT as a docstring at INDENT: paragraphs (blank-line separated)
    filled to 79 columns, lines that start with a space kept as they are."""
    pad = ' ' * indent
    paras = text.strip('\n').split('\n\n')
    out = []
    for k, para in enumerate(paras):
        lead = pad + '"""' if k == 0 else pad
        lines = para.split('\n')
        if lines[0].startswith(' '):
            out.append('\n'.join(pad + l for l in lines))
        else:
            out.append(textwrap.fill(' '.join(lines), 79, initial_indent=lead,
                                     subsequent_indent=pad, break_on_hyphens=False,
                                     break_long_words=False))
    body = '\n\n'.join(out)
    if paras[0].startswith(' '):
        body = pad + '"""\n' + body
    last = body.rsplit('\n', 1)[-1]
    if len(paras) == 1 and len(last) + 3 <= 79:
        return body + '"""\n'
    return body + '\n' + pad + '"""\n'


def module_source(model, cls, dtype, vocab=None, from_file=None):
    """The text of NAME.py. VOCAB: byte -> id of the file it comes from."""
    recs = model.recurrent_layers
    steps = model.mask != 'none' or any(l.recurrent_dropout > 0 for l in recs)
    stock_kinds = [k for k in RECURRENT if any(l.kind == k and l.stock for l in recs)] \
        if steps else []
    peephole = any(l.peephole for l in recs)
    before = any(l.kind == 'gru' and not l.reset_after for l in recs)
    step_kinds = set(stock_kinds) | ({'lstm'} if peephole else set()) | \
        ({'gru'} if before else set())
    inp = 'ids' if model.tokens else 'x'
    args = inp + (', lengths=None' if model.mask == 'lengths' else '')
    out = []
    w = out.append
    w(docstring(header_doc(model, cls, args, from_file, vocab), 0))
    w('import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n\n')
    w('DTYPE = torch.%s  # %s\n' % (dtype, 'the precision of %s' % from_file if from_file
                                     else "PyTorch's default"))
    w('LENGTH = %d  # the spec\'s length: the steps rnnc reads per sequence\n' % model.length)
    if model.tokens:
        w('VOCAB = %d  # token ids are 0 .. VOCAB-1\n' % model.vocab)
    if model.mask == 'padding':
        w('PADDING_ID = %d  # steps with this id are padding: they change no state\n' %
          model.padding_id)
    if vocab:
        w(byte_ids_source(vocab, from_file))
    if any(l.dropout > 0 or l.recurrent_dropout > 0 for l in recs):
        w('\n' + HELP_SEQUENCE_DROPOUT)
    if steps or peephole or before:
        w('\n' + HELP_SCAN)
    for kind, text in (('simple_rnn', HELP_RNN_STEP), ('lstm', HELP_LSTM_STEP),
                       ('gru', HELP_GRU_STEP)):
        if kind in step_kinds:
            w('\n' + text)
    if stock_kinds:
        names = ['nn.' + {'simple_rnn': 'RNN', 'lstm': 'LSTM', 'gru': 'GRU'}[k]
                 for k in stock_kinds]
        w('\n' + HELP_RUN_RNN_HEAD.format(doc=docstring(HELP_RUN_RNN_DOC.format(
            kinds=', '.join(names[:-1]) + ' or ' + names[-1] if len(names) > 1 else names[0]),
            4)))
        for k in stock_kinds:
            w(HELP_RUN_RNN[k])
        w(HELP_RUN_RNN_TAIL)
    if peephole:
        w('\n' + HELP_CELL_MODULE.format(
            cls='PeepholeLSTM', doc=PEEPHOLE_DOC, g=4, stock='LSTM',
            extra_init='        self.peephole = nn.Parameter(torch.empty(3 * hidden_size))\n',
            step='lstm_step(xt, s, self.weight_hh, self.peephole, hmask)', state='(h, h)'))
    if before:
        w('\n' + HELP_CELL_MODULE.format(
            cls='GRUResetBefore', doc=RESET_BEFORE_DOC, g=3, stock='GRU', extra_init='',
            step='gru_step(xt, s, self.weight_hh, None, False, hmask)', state='(h,)'))
    w('\n\nclass %s(nn.Module):\n' % cls)
    w(docstring('rnnc model %s: %s.%s' % (
        model.name, summary(model),
        '\n\nA stateful model in rnnc: here every call starts from zeros, as the '
        'program\'s eval and predict do.' if model.stateful else ''), 4))
    w('\n    def __init__(self):\n        super().__init__()\n')
    if model.embedding:
        w('        self.embedding = nn.Embedding(%d, %d)\n' % (model.vocab, model.embedding))
    for layer in model.layers:
        w('        self.%s = %s\n' % (layer.attr, module_expr(layer)))
        if layer.recurrent and layer.biases == 1 and layer.stock:
            w('        # biases 1: rnnc has no bias_hh; here it stays 0\n')
            w('        nn.init.zeros_(self.%s.bias_hh_l0)\n' % layer.attr)
            w('        self.%s.bias_hh_l0.requires_grad_(False)\n' % layer.attr)
        for which in ('dropout', 'recurrent_dropout'):
            attr = model.dropout_attrs.get((layer.name, which))
            if attr:
                w('        self.%s = SequenceDropout(%r)\n' %
                  (attr, getattr(layer, which)))
    w('        self.to(DTYPE)\n')
    if model.mask != 'none':
        w(step_mask_source(model, inp, args))
    w(logits_source(model, inp, args))
    act = ACTIVATION[model.out_activation]
    w('\n    def forward(self, %s):\n' % args)
    w(docstring(forward_doc(model) + '.', 8))
    w('        return %s\n' % act.format('self.logits(%s)' % args.replace('=None', '')))
    w(loss_source(model, inp, args))
    return ''.join(out)


def header_doc(model, cls, args, from_file, vocab):
    """The module's docstring."""
    parts = ['%s - rnnc model %s as a PyTorch module.' % (cls, model.name)]
    parts.append('Written by rnnc_torch.py from %s, spec sha256 %s%s. It needs torch alone.' % (
        os.path.basename(model.spec_path), model.hash,
        ', with the weights of %s' % from_file if from_file else ''))
    use = ['    import torch', '    from %s import %s' % (cls, cls), '    m = %s()' % cls]
    if from_file:
        use.append('    m.load_state_dict(torch.load("%s.pt"))' % cls)
    use += ['    m.eval()  # no dropout', '    y = m(%s)' % args]
    parts.append('\n'.join(use))
    parts.extend(io_doc(model, vocab))
    layers = ['The layers, rnnc\'s and PyTorch\'s (docs/interop.md has the whole table):']
    if model.embedding:
        layers.append('    embedding: nn.Embedding(%d, %d)' % (model.vocab, model.embedding))
    for layer in model.layers:
        layers.append('    %s %s: %s' % (layer.kind, layer.name, module_expr(layer)))
    parts.append(layers[0])
    parts.append('\n'.join(layers[1:]))
    return '\n\n'.join(parts)


def byte_ids_source(vocab, from_file):
    """BYTE_IDS = {byte: id} and encode()."""
    out = ['\n'.join(textwrap.wrap(
        'The byte vocabulary of %s (the bytes of its training data), byte -> token id: '
        'the program reads text through it.' % from_file, 77,
        initial_indent='# ', subsequent_indent='# ')) + '\n']
    items = ['%d: %d' % (b, i) for b, i in sorted(vocab.items(), key=lambda t: t[1])]
    line = 'BYTE_IDS = {'
    for item in items:
        if len(line) + len(item) + 2 > 79:
            out.append(line.rstrip() + '\n')
            line = ' ' * 12
        line += item + ', '
    out.append(line.rstrip(', ') + '}\n')
    out.append(HELP_ENCODE)
    return ''.join(out)


def module_expr(layer):
    """The torch module of LAYER, as code."""
    if layer.kind == 'dense':
        return 'nn.Linear(%d, %d)' % (layer.width_in, layer.units)
    if layer.kind == 'dropout':
        return 'nn.Dropout(%r)' % layer.rate
    bias = '' if layer.biases == 2 else ', bias_hh=False'
    if layer.peephole:
        return 'PeepholeLSTM(%d, %d%s)' % (layer.width_in, layer.units, bias)
    if layer.kind == 'gru' and not layer.reset_after:
        return 'GRUResetBefore(%d, %d%s)' % (layer.width_in, layer.units, bias)
    if layer.kind == 'simple_rnn':
        return "nn.RNN(%d, %d, nonlinearity='%s', batch_first=True)" % (
            layer.width_in, layer.units, layer.activation)
    return 'nn.%s(%d, %d, batch_first=True)' % ({'lstm': 'LSTM', 'gru': 'GRU'}[layer.kind],
                                                  layer.width_in, layer.units)


def summary(model):
    parts = []
    if model.tokens:
        parts.append('tokens (vocab %d%s)' % (
            model.vocab, ', embedding %d' % model.embedding if model.embedding else ', one-hot'))
    else:
        parts.append('%d features' % model.features)
    for layer in model.layers:
        if layer.kind == 'dropout':
            parts.append('dropout %g' % layer.rate)
        elif layer.kind == 'dense':
            parts.append('dense %d %s%s' % (layer.units, layer.activation,
                                            ' per step' if layer.per_step else ''))
        else:
            q = layer.qualifier()
            parts.append('%s %d%s' % (layer.kind, layer.units, ' (%s)' % q if q else ''))
    return ' -> '.join(parts)


def io_doc(model, vocab):
    """What the module takes and returns: docstring paragraphs."""
    out = []
    if model.tokens:
        out.append('ids: [B, T] int64 token ids. The program reads bytes through its byte '
                   'vocabulary: %s%s.' % (
                       'BYTE_IDS below, encode(b"text")' if vocab else
                       'the distinct bytes of its training data in ascending order, ids from '
                       '0 (skipping the padding id for LABEL<TAB>TEXT data; docs/interop.md)',
                       '; it cuts a text at LENGTH and pads it after its end with PADDING_ID'
                       if model.mask == 'padding' else ''))
    else:
        out.append('x: [B, T, %d] real features, float.' % model.features)
    if model.mask == 'padding':
        out.append('A step whose id is PADDING_ID is padding: it leaves the state as it was.')
    if model.mask == 'lengths':
        out.append('lengths: [B] int64, the real steps of each sequence (the first lengths[b]; '
                   'the others leave the state as it was), or None: all T.')
    out.append('Returns %s.' % forward_doc(model))
    return out


def forward_doc(model):
    """What forward() returns, and how it relates to rnnc's predict."""
    shape = '[B, T, %d]' % model.out_units if model.per_step else '[B, %d]' % model.out_units
    last = model.layers[-1]
    if last.recurrent:
        what = 'the states of %s %s' % (last.kind, last.name)
    else:
        what = '%s of dense %s' % ({
            'softmax': 'probabilities (softmax)', 'sigmoid': 'sigmoid outputs',
            'linear': 'outputs (linear)', 'relu': 'outputs (relu)',
            'tanh': 'outputs (tanh)'}[model.out_activation], last.name)
    if model.tokens and model.per_step and model.mask == 'none':
        return "%s, %s; rnnc's sample draws the next byte from the last step's" % (shape, what)
    prints = 'the likeliest class and its probability' if model.loss == 'cross_entropy' \
        else 'the values'
    return "%s, %s; rnnc's predict prints %s%s" % (
        shape, what, prints, ', of the last step' if model.per_step else '')


def step_mask_source(model, inp, args):
    out = ['\n    def step_mask(self, %s):\n' % args]
    if model.mask == 'padding':
        out.append('        """[B, T] bool: True at the real steps, False at padding."""\n')
        out.append('        return %s != PADDING_ID\n' % inp)
    else:
        out.append('        """[B, T] bool: True at the first lengths[b] steps of row b; '
                   'None when\n        lengths is None (every step is real)."""\n')
        out.append('        if lengths is None:\n            return None\n')
        out.append('        steps = torch.arange(%s.shape[1], device=%s.device)\n' % (inp, inp))
        out.append('        return steps[None, :] < lengths.to(%s.device)[:, None]\n' % inp)
    return ''.join(out)


def logits_source(model, inp, args):
    """logits(): the forward pass up to the output layer's activation."""
    out = []
    w = out.append
    w('\n    def logits(self, %s):\n' % args)
    w('        """The output before its activation, %s."""\n' %
      ('[B, T, %d]' % model.out_units if model.per_step else '[B, %d]' % model.out_units))
    call_args = args.replace('=None', '')
    if model.mask != 'none':
        w('        mask = self.step_mask(%s)\n' % call_args)
    if model.embedding:
        w('        x = self.embedding(ids)\n')
    else:
        first = model.recurrent_layers[0]
        key = [t.torch for t in tensors(model) if t.layer is first][0]
        if model.tokens:
            w('        # one-hot: %s %s reads columns of its weight_ih\n' %
              (first.kind, first.name))
            w('        x = F.one_hot(ids, VOCAB).to(self.%s.dtype)\n' % key)
        else:
            w('        x = x.to(self.%s.dtype)  # the precision of the weights\n' % key)
    per_step = True
    last = model.layers[-1]
    for layer in model.layers:
        if layer.kind == 'dropout':
            w('        x = self.%s(x)  # dropout %s: per element and step\n' %
              (layer.attr, layer.name))
            continue
        if layer.kind == 'dense':
            if per_step and not layer.per_step:
                w('        x = x[:, -1]  # dense %s reads the last step\n' % layer.name)
                per_step = False
            w('        x = self.%s(x)  # dense %s%s\n' % (
                layer.attr, layer.name, ', every step' if layer.per_step else ''))
            if layer is not last and layer.activation != 'linear':
                w('        x = %s\n' % ACTIVATION[layer.activation].format('x'))
            continue
        w('        # %s: %d -> %d units\n' % (layer.describe(), layer.width_in, layer.units))
        attr = model.dropout_attrs.get((layer.name, 'dropout'))
        if attr:
            w('        m = self.%s.mask(x, %d)\n' % (attr, layer.width_in))
            w('        x = x if m is None else x * m[:, None]\n')
        attr = model.dropout_attrs.get((layer.name, 'recurrent_dropout'))
        hmask = 'self.%s.mask(x, %d)' % (attr, layer.units) if attr else None
        mask = 'mask' if model.mask != 'none' else None
        if layer.stock:
            if mask is None and hmask is None:
                w('        x = self.%s(x)[0]\n' % layer.attr)
            else:
                w('        x = run_rnn(self.%s, x, %s, %s)\n' % (layer.attr, mask, hmask))
        else:
            w('        x = self.%s(%s)\n' % (layer.attr, 'x' if mask is None and hmask is None
                                             else 'x, %s, %s' % (mask, hmask)))
        if not layer.return_sequences:
            w('        x = x[:, -1]  # the last state\n')
            per_step = False
    w('        return x\n')
    return ''.join(out)


def loss_source(model, inp, args):
    out = []
    w = out.append
    y_doc = {'cross_entropy': 'class ids, int64', 'binary_cross_entropy': '0/1 targets',
             'mse': 'targets'}[model.loss]
    y_shape = ('[B, T]' if model.per_step else '[B]') if model.loss == 'cross_entropy' else \
        ('[B, T, %d]' % model.out_units if model.per_step else '[B, %d]' % model.out_units)
    call_args = args.replace('=None', '')
    loss_args = inp + ', y' + (', lengths=None' if model.mask == 'lengths' else '')
    w('\n    def loss(self, %s):\n' % loss_args)
    rows = 'every real step of every sequence' if model.per_step and model.mask != 'none' \
        else 'every step of every sequence' if model.per_step else 'every sequence'
    what = {'cross_entropy': 'of -log softmax(z)[y] over %s' % rows,
            'binary_cross_entropy': 'of the binary cross-entropy of sigmoid(z) and y, every '
                                    'element of %s' % rows,
            'mse': 'of the squared error, every element of %s' % rows}[model.loss]
    w(docstring("rnnc's training loss (%s) of a batch, as the program computes it: the mean "
                "%s. y: %s %s." % (model.loss, what, y_shape, y_doc), 8))
    w('        z = self.logits(%s)\n' % call_args)
    if model.per_step and model.mask != 'none':
        w('        keep = self.step_mask(%s)\n' % call_args)
        if model.mask == 'lengths':
            w('        if keep is not None:\n    ')
        w('        z, y = z[keep], y[keep]\n')
    if model.loss == 'cross_entropy' and model.per_step and model.mask == 'padding':
        w('        return F.cross_entropy(z, y)\n')
    elif model.loss == 'cross_entropy' and model.per_step:
        w('        return F.cross_entropy(z.reshape(-1, z.shape[-1]), y.reshape(-1))\n')
    elif model.loss == 'cross_entropy':
        w('        return F.cross_entropy(z, y)\n')
    elif model.loss == 'binary_cross_entropy':
        w('        return F.binary_cross_entropy(torch.sigmoid(z), y.to(z.dtype))\n')
    else:
        w('        return F.mse_loss(%s, y.to(z.dtype))\n' %
          ACTIVATION[model.out_activation].format('z'))
    return ''.join(out)


# --------------------------------------------------------------------------
# Files
# --------------------------------------------------------------------------

def ckpt_module():
    sys.path.insert(0, HERE)
    try:
        import rnnc_ckpt
    finally:
        sys.path.pop(0)
    return rnnc_ckpt


def read_rnnc_file(path):
    ck = ckpt_module()
    if not os.path.exists(path):
        raise Error("%s: no such file" % path)
    try:
        return ck.read(path)
    except ck.FormatError as e:
        raise Error(str(e))


def write_atomically(files):
    """FILES: [(path, write(f))]; each is written to PATH.tmp first and all
    are renamed once every one is complete, so a failure leaves nothing."""
    done = []
    try:
        for path, writer in files:
            tmp = path + '.tmp'
            with open(tmp, 'wb') as f:
                writer(f)
                f.flush()
                os.fsync(f.fileno())
            done.append((tmp, path))
    except BaseException:
        for tmp, _ in done:
            os.unlink(tmp)
        if os.path.exists(path + '.tmp'):
            os.unlink(path + '.tmp')
        raise
    for tmp, path in done:
        os.replace(tmp, path)


def load_module_class(source, cls):
    """Runs the generated source; returns its class (a check of the
    exporter itself: the module must build and load its own state_dict)."""
    env = {'__name__': 'rnnc_torch_generated'}
    exec(compile(source, '<%s.py>' % cls, 'exec'), env)
    return env[cls]


# --------------------------------------------------------------------------
# export
# --------------------------------------------------------------------------

def check_file_against(model, f, path, ignore_hash):
    """F (read from PATH) must be MODEL's: name, hash, tensor table."""
    if f.model != model.name:
        raise Error("%s holds model '%s', the spec %s describes '%s': give the spec that "
                    "trained it" % (path, f.model, model.spec_path, model.name))
    if f.spec_hash != model.hash and not ignore_hash:
        raise Error("%s was written for spec hash %s, %s has %s: give the spec that trained "
                    "it (or --ignore-hash if only its train or sample block changed)" %
                    (path, f.spec_hash, model.spec_path, model.hash))
    want = [(t.rnnc, t.shape) for t in tensors(model) if t.rnnc]
    have = list(f.tensors.items())
    for i, (name, shape) in enumerate(want):
        if i >= len(have):
            raise Error("%s has no tensor %s %s that the spec's model has: give the spec that "
                        "trained it" % (path, name, shape_text(shape)))
        hname, arr = have[i]
        if hname != name or arr.size != _count(shape):
            raise Error("%s: tensor %d is %s %s, the spec's model has %s %s there: give the "
                        "spec that trained it" % (path, i + 1, hname, shape_text(arr.shape),
                                                   name, shape_text(shape)))
    if len(have) > len(want):
        raise Error("%s has a tensor %s that the spec's model lacks: give the spec that "
                    "trained it" % (path, have[len(want)][0]))


def _count(shape):
    n = 1
    for s in shape:
        n *= s
    return n


def state_dict_of(model, f):
    """The torch module's state_dict from F's tensors."""
    import numpy as np
    import torch
    dtype = torch.float64 if f.precision == 'float64' else torch.float32
    sd = collections.OrderedDict()
    for t in tensors(model):
        if t.rnnc is None:
            sd[t.torch] = torch.zeros(t.shape, dtype=dtype)
        else:
            arr = np.ascontiguousarray(f.tensors[t.rnnc], dtype=np.float64)
            sd[t.torch] = torch.from_numpy(arr.reshape(t.shape)).to(dtype)
    return sd


def cmd_export(args):
    import torch
    model = load_spec(args.spec, find_rnnc(args.rnnc))
    cls = class_name_for(model, args.name)
    f = None
    dtype = 'float32'
    if args.file:
        f = read_rnnc_file(args.file)
        check_file_against(model, f, args.file, args.ignore_hash)
        dtype = f.precision
    vocab = None
    if f is not None and f.vocab:
        vocab = {v[0]: i for i, v in enumerate(f.vocab) if len(v) == 1}
    source = module_source(model, cls, dtype, vocab,
                           os.path.basename(args.file) if args.file else None)
    module = load_module_class(source, cls)()
    files = []
    py = os.path.join(args.out, cls + '.py')
    files.append((py, lambda out: out.write(source.encode('utf-8'))))
    if f is not None:
        sd = state_dict_of(model, f)
        module.load_state_dict(sd, strict=True)  # the generated module's own check
        pt = os.path.join(args.out, cls + '.pt')
        files.append((pt, lambda out: torch.save(sd, out)))
    try:
        os.makedirs(args.out, exist_ok=True)
    except OSError as e:
        raise Error("%s: cannot create the directory: %s" % (args.out, e.strerror))
    try:
        write_atomically(files)
    except OSError as e:
        raise Error("%s: cannot write: %s" % (e.filename or args.out, e.strerror))
    print('%s: wrote %s%s' % (PROG, py, ' and %s' % files[1][0] if f is not None else ''))
    return 0


# --------------------------------------------------------------------------
# import
# --------------------------------------------------------------------------

def load_state_dict_file(path):
    """A {name: tensor} mapping from PATH: a state_dict, or a whole module."""
    import torch
    if not os.path.exists(path):
        raise Error("%s: no such file" % path)
    try:
        obj = torch.load(path, map_location='cpu')
    except Exception as e:  # torch raises many kinds; all mean "not a torch file"
        raise Error("%s: torch.load cannot read it (%s): save the weights with "
                    "torch.save(m.state_dict(), PATH)" % (path, str(e).splitlines()[0]))
    if isinstance(obj, torch.nn.Module):
        obj = obj.state_dict()
    if not isinstance(obj, dict) or not all(isinstance(k, str) for k in obj):
        raise Error("%s holds a %s, not a state_dict: save the weights with "
                    "torch.save(m.state_dict(), PATH)" % (path, type(obj).__name__))
    return obj


MAX_PROBLEMS = 10  # listed of a state_dict; the rest are counted


def check_state_dict(model, sd, path):
    """Every problem of SD against MODEL's module, as messages."""
    import torch
    problems = []
    want = tensors(model)
    keys = {t.torch for t in want}
    module = "the module `rnnc_torch.py export %s` writes" % model.spec_path

    def rnnc_name(t):
        return "rnnc's %s" % t.rnnc if t.rnnc else 'a zero bias_hh: %s has biases 1' % \
            t.layer.name
    for t in want:
        if t.torch not in sd:
            problems.append("%s: no tensor '%s' (%s, shape %s): save the whole state_dict "
                            "of %s" % (path, t.torch, rnnc_name(t), shape_text(t.shape), module))
            continue
        v = sd[t.torch]
        if not isinstance(v, torch.Tensor):
            problems.append("%s: '%s' is a %s, not a tensor: save the state_dict of %s" % (
                path, t.torch, type(v).__name__, module))
        elif tuple(v.shape) != t.shape:
            problems.append("%s: tensor '%s' (%s) has shape %s, the spec's model %s: the "
                            "weights are of another model; give its spec, or train %s" % (
                                path, t.torch, rnnc_name(t), shape_text(v.shape),
                                shape_text(t.shape), module))
        elif not v.is_floating_point():
            problems.append("%s: tensor '%s' holds %s, not real numbers: save the state_dict "
                            "of %s" % (path, t.torch, str(v.dtype).replace('torch.', ''),
                                       module))
        elif not bool(torch.isfinite(v).all()):
            problems.append("%s: tensor '%s' holds NaN or infinite values: the model "
                            "diverged; import weights from before that" % (path, t.torch))
    for k in sd:
        if k not in keys:
            problems.append("%s: tensor '%s' %s is no parameter of model %s: the weights are "
                            "of another model; give its spec, or save the state_dict of %s" % (
                                path, k, shape_text(getattr(sd[k], 'shape', ())), model.name,
                                module))
    if len(problems) > MAX_PROBLEMS:
        problems[MAX_PROBLEMS:] = ['%s: and %d more problems' % (
            path, len(problems) - MAX_PROBLEMS)]
    return problems


def rnnc_tensors(model, sd, path):
    """rnnc's tensors, in rnnc's order, from a checked state_dict. Under
    `biases 1` a stock module's bias_hh_l0 is added to bias_ih: the two
    only ever appear summed, but for a GRU's b_hn, which must be 0."""
    import numpy as np
    bias_hh = {}
    for t in tensors(model):
        if t.rnnc is None:
            bias_hh[t.layer.name] = (t.torch, sd[t.torch].detach().double().cpu().numpy())
    out = collections.OrderedDict()
    for t in tensors(model):
        if t.rnnc is None:
            continue
        arr = sd[t.torch].detach().double().cpu().numpy().copy()
        if t.role == 'bias_ih' and t.layer.name in bias_hh:
            key, extra = bias_hh[t.layer.name]
            H = t.layer.units
            if t.layer.kind == 'gru' and np.any(extra[2 * H:] != 0):
                raise Error("%s: tensor '%s' has a non-zero b_hn block (rows %d..%d), which "
                            "gru %s cannot hold: it has 'biases 1' in %s; set 'biases 2' "
                            "there, or keep %s at 0 as the exported module does" % (
                                path, key, 2 * H, 3 * H - 1, t.layer.name, model.spec_path,
                                key))
            arr = arr + extra
        out[t.rnnc] = arr
    return out


def cmd_import(args):
    model = load_spec(args.spec, find_rnnc(args.rnnc))
    sd = load_state_dict_file(args.state_dict)
    problems = check_state_dict(model, sd, args.state_dict)
    if problems:
        raise Error('\n'.join(problems))
    params = rnnc_tensors(model, sd, args.state_dict)
    vocab = None
    if args.vocab:
        if not model.tokens:
            raise Error("--vocab: model %s reads features, not tokens: it has no vocabulary" %
                        model.name)
        vf = read_rnnc_file(args.vocab)
        vocab = vf.vocab
        if vocab is None:
            raise Error("%s holds no vocabulary: give the checkpoint of a trained token model"
                        % args.vocab)
        if len(vocab) > model.vocab:
            raise Error("%s: its vocabulary has %d ids, the model's vocab is %d: give a "
                        "file of this model" % (args.vocab, len(vocab), model.vocab))
    ck = ckpt_module()
    # without a vocabulary the program builds one from the first data it
    # reads, reserving the padding id as training does
    padding_id = vf.padding_id if vocab else model.padding_id if model.mask == 'padding' else -1
    rf = ck.RnncFile(kind='parameters', model=model.name, spec_hash=model.hash,
                     precision='float64' if args.double else 'float32', tensors=params,
                     vocab=vocab, padding_id=padding_id, length=model.length,
                     batch=model.batch, n_slots=model.n_slots)
    try:
        ck.write_params(args.out, rf)
    except (ck.FormatError, OSError) as e:
        raise Error(str(e))
    print('%s: wrote %s (model %s, %d tensors%s)' % (
        PROG, args.out, model.name, len(params),
        ', vocabulary of %s' % args.vocab if vocab else ''))
    return 0


# --------------------------------------------------------------------------
# onnx
# --------------------------------------------------------------------------

ONNX_OPSET = 14  # what onnx 1.12 (Debian 12) checks; RNN, LSTM, GRU are version 14
ONNX_OP = {'simple_rnn': 'RNN', 'lstm': 'LSTM', 'gru': 'GRU'}
# rnnc's gate blocks (PyTorch's order) in the order ONNX stacks them:
# lstm i, f, g, o -> i, o, f, c; gru r, z, n -> z, r, h
ONNX_GATES = {'simple_rnn': (0,), 'lstm': (0, 3, 1, 2), 'gru': (1, 0, 2)}
ONNX_PEEPHOLE = (0, 2, 1)  # rnnc's p_i, p_f, p_o -> ONNX's P[iof]
ONNX_ACTIVATION = {'relu': 'Relu', 'tanh': 'Tanh', 'sigmoid': 'Sigmoid', 'softmax': 'Softmax'}


class OnnxGraph:
    """The nodes and initializers of the graph being built. Values are
    named LAYER/WHAT or mask/WHAT: '/' cannot occur in a layer name, so no
    two names meet."""

    def __init__(self):
        import onnx
        from onnx import helper, numpy_helper
        self.onnx, self.helper, self.numpy_helper = onnx, helper, numpy_helper
        self.nodes, self.initializers = [], []

    def const(self, name, array):
        """An initializer holding ARRAY (numpy); returns its name."""
        self.initializers.append(self.numpy_helper.from_array(array, name))
        return name

    def node(self, op, inputs, outputs, **attrs):
        """Appends OP(INPUTS) -> OUTPUTS (a name or a list); returns OUTPUTS."""
        outs = [outputs] if isinstance(outputs, str) else outputs
        self.nodes.append(self.helper.make_node(op, inputs, outs, name=outs[0], **attrs))
        return outputs

    def int64(self, name, values):
        import numpy as np
        return self.const(name, np.array(values, dtype=np.int64))


def onnx_weights(layer, f):
    """W, R, B (and P) of recurrent LAYER from F's tensors: ONNX's shapes
    ([1, G*H, I], [1, G*H, H], [1, 2*G*H], [1, 3*H]) and gate order, float32."""
    import numpy as np
    H, G = layer.units, GATES[layer.kind]
    order = ONNX_GATES[layer.kind]

    def gates(arr, rows):
        arr = np.asarray(arr, dtype=np.float64).reshape(G, H, rows)
        return arr[list(order)].reshape(G * H, rows)

    name = layer.name
    w = gates(f.tensors[name + '.weight_ih'], layer.width_in)
    r = gates(f.tensors[name + '.weight_hh'], H)
    wb = gates(f.tensors[name + '.bias_ih'], 1).ravel()
    rb = gates(f.tensors[name + '.bias_hh'], 1).ravel() if layer.biases == 2 else \
        np.zeros(G * H)
    out = [w[None], r[None], np.concatenate([wb, rb])[None]]
    if layer.peephole:
        p = np.asarray(f.tensors[name + '.peephole'], dtype=np.float64).reshape(3, H)
        out.append(p[list(ONNX_PEEPHOLE)].reshape(1, 3 * H))
    return [a.astype(np.float32) for a in out]


def onnx_mask(g, model, ids):
    """The nodes that say which steps are real (mask padding or lengths).
    Returns (ids, lens, count): IDS reordered so that each sequence's real
    steps come first, in order (padding: a masked step changes no state, so
    the states at the real steps are those of the real steps run alone);
    LENS [B] int32, the real steps of each sequence but at least 1, for the
    ops' sequence_lens (ONNX Runtime refuses 0); COUNT [T, B] int64, the
    real steps up to and including step t."""
    import numpy as np
    T = model.length
    steps = g.int64('mask/steps', np.arange(T).reshape(T, 1))  # [T, 1]
    if model.mask == 'padding':
        pad = g.node('Equal', [ids, g.int64('mask/padding_id', model.padding_id)],
                     'mask/is_padding')
        real = g.node('Not', [pad], 'mask/real')  # [T, B]
    else:
        lengths = g.node('Cast', ['sequence_lens'], 'mask/lengths', to=g.onnx.TensorProto.INT64)
        lengths = g.node('Unsqueeze', [lengths, g.int64('mask/axis0', [0])], 'mask/lengths_row')
        real = g.node('Less', [steps, lengths], 'mask/real')  # [T, B]
    ones = g.node('Cast', [real], 'mask/real_int', to=g.onnx.TensorProto.INT64)
    count = g.node('CumSum', [ones, g.int64('mask/time_axis', 0)], 'mask/count')
    n = g.node('Gather', [count, g.int64('mask/last_step', T - 1)], 'mask/n_real', axis=0)
    n = g.node('Max', [n, g.int64('mask/one', 1)], 'mask/n_real_or_1')
    lens = g.node('Cast', [n], 'mask/sequence_lens', to=g.onnx.TensorProto.INT32)
    if model.mask == 'padding':
        # sort each column by t + T * is_padding: the real steps first, in order
        later = g.node('Add', [steps, g.int64('mask/T', T)], 'mask/steps_plus_T')
        key = g.node('Where', [real, steps, later], 'mask/key')
        key = g.node('Cast', [key], 'mask/key_float', to=g.onnx.TensorProto.FLOAT)
        _, order = g.node('TopK', [key, g.int64('mask/k', [T])], ['mask/sorted', 'mask/order'],
                          axis=0, largest=0, sorted=1)
        ids = g.node('GatherElements', [ids, order], 'mask/ids', axis=0)
    return ids, lens, count


def onnx_unpack(g, model, x, count, name):
    """X [T, B, H], a layer's states in the order onnx_mask made, as rnnc
    has them at every step: step t holds the state after the last real step
    up to t (a masked step repeats the state), 0 before the first. ONNX
    leaves the steps after sequence_lens undefined (ONNX Runtime writes 0),
    so they are never read."""
    import numpy as np
    axis2 = g.int64(name + '/axis2', [2])
    before = g.node('Sub', [count, g.int64(name + '/one', 1)], name + '/at')
    at = g.node('Max', [before, g.int64(name + '/zero', 0)], name + '/at_or_0')
    at = g.node('Unsqueeze', [at, axis2], name + '/at3')
    shape = g.node('Shape', [x], name + '/shape')
    at = g.node('Expand', [at, shape], name + '/at_full')
    got = g.node('GatherElements', [x, at], name + '/gathered', axis=0)
    seen = g.node('Greater', [count, g.int64(name + '/none', 0)], name + '/seen')
    seen = g.node('Unsqueeze', [seen, axis2], name + '/seen3')
    return g.node('Where', [seen, got, g.const(name + '/zeros', np.zeros((), np.float32))],
                  name + '/states')


def onnx_model(model, f, from_file):
    """The ONNX model of MODEL's inference with F's weights: the program's
    inputs, time first, and what its predict prints before formatting."""
    import numpy as np
    g = OnnxGraph()
    TP = g.onnx.TensorProto
    T = model.length
    inputs = []
    if model.tokens:
        inputs.append(g.helper.make_tensor_value_info('ids', TP.INT64, [T, 'batch']))
        x = 'ids'
    else:
        inputs.append(g.helper.make_tensor_value_info('x', TP.FLOAT,
                                                      [T, 'batch', model.features]))
        x = 'x'
    if model.mask == 'lengths':
        inputs.append(g.helper.make_tensor_value_info('sequence_lens', TP.INT32, ['batch']))
    lens = count = None
    if model.mask != 'none':
        x, lens, count = onnx_mask(g, model, x)
    if model.embedding:
        table = g.const('embedding/weight', np.asarray(
            f.tensors['embedding.weight'], dtype=np.float32).reshape(model.vocab,
                                                                     model.embedding))
        x = g.node('Gather', [table, x], 'embedding/x', axis=0)
    elif model.tokens:  # one-hot: the first layer's W is its weight_ih as it is
        x = g.node('OneHot', [x, g.int64('one_hot/depth', model.vocab),
                              g.const('one_hot/values', np.array([0, 1], np.float32))],
                   'one_hot/x', axis=-1)
    per_step = True
    last_rec = model.recurrent_layers[-1]
    for layer in model.layers:
        n = layer.name
        if layer.kind == 'dropout':  # inference: dropout does nothing
            continue
        if layer.recurrent:
            ws = onnx_weights(layer, f)
            names = [g.const('%s/%s' % (n, w), a) for w, a in zip('WRBP', ws)]
            ins = [x] + names[:3] + [lens or '']
            if layer.peephole:
                ins += ['', '', names[3]]  # no initial_h, initial_c: zeros
            attrs = dict(hidden_size=layer.units)
            if layer.kind == 'simple_rnn':
                attrs['activations'] = [ONNX_ACTIVATION[layer.activation]]
            if layer.kind == 'gru':
                attrs['linear_before_reset'] = int(layer.reset_after)
            # Y [T, 1, B, H] alone: the last step is Y's (Y_h is the same state,
            # but OpenCV's GRU does not give it, and under a mask it would be
            # the state after a clamped sequence_lens)
            y = g.node(ONNX_OP[layer.kind], ins, n + '/Y', **attrs)
            # Reshape drops the num_directions axis: Squeeze does the same, but
            # changed its signature in opset 13, which older importers lack
            x = g.node('Reshape', [y, g.int64(n + '/y_dims', [T, -1, layer.units])], n + '/y')
            if layer is last_rec and count is not None:
                x = onnx_unpack(g, model, x, count, n)
            if not layer.return_sequences:
                x = g.node('Gather', [x, g.int64(n + '/last', T - 1)], n + '/h', axis=0)
                per_step = False
            continue
        # dense
        if per_step and not layer.per_step:
            x = g.node('Gather', [x, g.int64(n + '/last', T - 1)], n + '/last_step', axis=0)
            per_step = False
        w = np.asarray(f.tensors[n + '.weight'], dtype=np.float32).reshape(
            layer.units, layer.width_in)
        b = np.asarray(f.tensors[n + '.bias'], dtype=np.float32).reshape(layer.units)
        x = g.node('MatMul', [x, g.const(n + '/weight_t', np.ascontiguousarray(w.T))],
                   n + '/product')
        x = g.node('Add', [x, g.const(n + '/bias', b)], n + '/z')
        if layer.activation == 'softmax':
            x = g.node('Softmax', [x], n + '/y', axis=-1)
        elif layer.activation != 'linear':
            x = g.node(ONNX_ACTIVATION[layer.activation], [x], n + '/y')
    # the last node's output is the graph's
    assert g.nodes[-1].output[0] == x
    g.nodes[-1].output[0] = 'output'
    shape = [T, 'batch', model.out_units] if model.per_step else ['batch', model.out_units]
    output = g.helper.make_tensor_value_info('output', TP.FLOAT, shape)
    doc = ('rnnc model %s (%s), written by rnnc_torch.py from %s, spec sha256 %s, with the '
           'weights of %s. Inputs time first: %s%s. Output: %s.' % (
               model.name, summary(model), os.path.basename(model.spec_path), model.hash,
               from_file, 'ids [T, batch] int64 token ids' if model.tokens else
               'x [T, batch, %d] float features' % model.features,
               ', sequence_lens [batch] int32 (the real steps, the first of each sequence)'
               if model.mask == 'lengths' else '', onnx_output_doc(model)))
    graph = g.helper.make_graph(g.nodes, model.name, inputs, [output], g.initializers,
                                doc_string=doc)
    m = g.helper.make_model(graph, producer_name='rnnc_torch.py', doc_string=doc,
                            opset_imports=[g.helper.make_opsetid('', ONNX_OPSET)])
    for key, value in (('rnnc_model', model.name), ('rnnc_spec_sha256', model.hash),
                       ('rnnc_weights', from_file)):
        entry = m.metadata_props.add()
        entry.key, entry.value = key, value
    return m


def onnx_output_doc(model):
    shape = '[T, batch, %d]' % model.out_units if model.per_step else \
        '[batch, %d]' % model.out_units
    last = model.layers[-1]
    if last.recurrent:
        return '%s, the states of %s %s' % (shape, last.kind, last.name)
    return '%s, dense %s after its activation (%s)' % (shape, last.name, last.activation)


def cmd_onnx(args):
    try:
        import onnx  # and numpy, which onnx needs itself
    except ImportError as e:
        raise Error("onnx needs the Python module onnx (%s): install python3-onnx" % e)
    model = load_spec(args.spec, find_rnnc(args.rnnc), torch_names=False)
    f = read_rnnc_file(args.file)
    check_file_against(model, f, args.file, args.ignore_hash)
    out = args.out or model.name + '.onnx'
    m = onnx_model(model, f, os.path.basename(args.file))
    try:
        onnx.checker.check_model(m, full_check=True)  # the exporter's own check
    except onnx.checker.ValidationError as e:
        raise Error("the ONNX model of %s fails onnx.checker, a bug of rnnc_torch.py (please "
                    "report it with the spec): %s" % (model.name, str(e).splitlines()[0]))
    data = m.SerializeToString()
    try:
        write_atomically([(out, lambda o: o.write(data))])
    except OSError as e:
        raise Error("%s: cannot write: %s" % (e.filename or out, e.strerror))
    print('%s: wrote %s (model %s, ONNX opset %d)' % (PROG, out, model.name, ONNX_OPSET))
    return 0


# --------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------

def parser():
    ap = argparse.ArgumentParser(
        prog=PROG, description='rnnc models as PyTorch modules and back, and as ONNX '
        '(docs/interop.md).')
    sub = ap.add_subparsers(dest='command', metavar='COMMAND')
    ex = sub.add_parser('export', help='spec + checkpoint -> NAME.py and NAME.pt',
                        description='Write DIR/NAME.py, a PyTorch module of the model SPEC '
                        'describes, and with FILE (a checkpoint or parameter file) '
                        'DIR/NAME.pt, its state_dict.')
    ex.add_argument('spec', metavar='SPEC')
    ex.add_argument('file', metavar='FILE', nargs='?')
    ex.add_argument('-o', '--out', metavar='DIR', default='.',
                    help='directory for NAME.py and NAME.pt, created if missing (default: .)')
    ex.add_argument('--name', help='class and file name (default: the model\'s name)')
    ex.add_argument('--ignore-hash', action='store_true',
                    help='accept a FILE written for another spec hash when its tensors fit')
    ex.add_argument('--rnnc', metavar='PATH', help='the rnnc compiler')
    im = sub.add_parser('import', help='spec + state_dict -> rnnc parameter file',
                        description='Write OUT, an rnnc parameter file (RNNCPARM) of the '
                        'model SPEC describes, from STATE_DICT, a torch.save()d state_dict '
                        'of the module export writes.')
    im.add_argument('spec', metavar='SPEC')
    im.add_argument('state_dict', metavar='STATE_DICT')
    im.add_argument('-o', '--out', metavar='OUT', required=True, help='the parameter file')
    im.add_argument('--vocab', metavar='FILE',
                    help='copy the byte vocabulary of this rnnc checkpoint or parameter file '
                    '(token models; without it the program builds one from the data it reads '
                    'first)')
    im.add_argument('--double', action='store_true',
                    help='store float64 (default float32, the program\'s default precision)')
    im.add_argument('--rnnc', metavar='PATH', help='the rnnc compiler')
    on = sub.add_parser('onnx', help='spec + checkpoint -> NAME.onnx',
                        description='Write an ONNX model (opset %d) of the inference of '
                        'the model SPEC describes, with the weights of FILE (a checkpoint '
                        'or parameter file): the program\'s inputs, time first, and what '
                        'its predict prints before formatting.' % ONNX_OPSET)
    on.add_argument('spec', metavar='SPEC')
    on.add_argument('file', metavar='FILE')
    on.add_argument('-o', '--out', metavar='NAME.onnx',
                    help='the ONNX file (default: MODEL.onnx, after the model\'s name)')
    on.add_argument('--ignore-hash', action='store_true',
                    help='accept a FILE written for another spec hash when its tensors fit')
    on.add_argument('--rnnc', metavar='PATH', help='the rnnc compiler')
    return ap


def main(argv=None):
    ap = parser()
    args = ap.parse_args(argv)
    if not args.command:
        ap.print_usage(sys.stderr)
        sys.stderr.write('%s: error: give a command: export, import or onnx\n' % PROG)
        return 2
    try:
        return {'export': cmd_export, 'import': cmd_import, 'onnx': cmd_onnx}[args.command](args)
    except Error as e:
        for line in str(e).splitlines():
            sys.stderr.write('%s: error: %s\n' % (PROG, line))
        return 1


if __name__ == '__main__':
    sys.exit(main())
