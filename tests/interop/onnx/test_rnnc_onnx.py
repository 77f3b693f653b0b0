#!/usr/bin/python3
"""test_rnnc_onnx.py - `rnnc_torch.py onnx` against the programs, a numpy
reference of the ONNX operators (onnx_reference.py) and OpenCV.

  test_rnnc_onnx.py --rnnc RNNC --work DIR --spec SPEC --program PROGRAM
  test_rnnc_onnx.py --rnnc RNNC --work DIR --spec SPEC --opencv
  test_rnnc_onnx.py --rnnc RNNC --work DIR --bad --spec SPEC --program PROGRAM

SPEC (built as PROGRAM):
  1. the program trains 20 steps on made-up data of the kind it reads
     (../interop_data.py, as the torch tests); `rnnc_torch.py onnx` writes
     NAME.onnx, which onnx.checker.check_model (full_check) must pass;
  2. onnx_reference.py runs it on the test data: every line the program's
     `predict` prints must match (the last step of a per-step output), or
     for text the `eval` loss;
  3. masks: rnnc's rule that a masked step changes no state, at every
     position: a `mask padding` model must give the same outputs with
     padding ids moved into the middle and the front of a sequence, a
     sequence of padding alone (or `lengths` 0) the head's output of a zero
     state, and a per-step `mask lengths` model the state of the last real
     step at the steps after it.
  It saves NAME.onnx, the inputs and the program's predictions for:
--opencv (after the run above; exit 77 without python3-opencv): OpenCV's
  ONNX importer (cv2.dnn, 4.6 in Debian 12) runs
  a. each LSTM and GRU node of the model alone, on the input the reference
     computed for it; its Y must match the reference's on the real steps.
     Two findings are checked rather than assumed: OpenCV 4.6 reads a
     peephole LSTM's P as [i, f, o], not ONNX's [i, o, f] (it matches when
     given P so permuted), and computes a GRU as linear_before_reset 1
     whatever the attribute says;
  b. the whole model when it has only what OpenCV 4.6 imports (real
     features, no mask, no RNN node, no GRU with linear_before_reset 0),
     with the batch fixed, GRU's initial_h given as zeros and P permuted as
     above: its output must match the reference and the program's predict.
--bad: `rnnc_torch.py onnx` refuses a file of another model, a file that
  is no rnnc file, a truncated one and a missing one, exits 1, writes
  nothing, and says what bad/CASE.err says, byte for byte; a file of
  another spec hash is refused too, unless --ignore-hash.

Every comparison prints its largest absolute difference; the limit is 1e-5
(the program prints 6 decimals or 6 significant digits; OpenCV computes in
float32). Exit 0 pass, 1 fail, 77 skip (no numpy, onnx or yaml; for
--opencv, no cv2).
"""
import argparse
import importlib
import os
import shutil
import subprocess
import sys
import zlib

sys.dont_write_bytecode = True  # leave tools/ as git has it
try:
    import numpy as np
    import onnx
    from onnx import numpy_helper
    importlib.import_module('yaml')  # rnnc_torch.py reads the spec with it
except ImportError as e:  # a machine without them: CTest reports a skip
    print('test_rnnc_onnx.py: skipped: %s (the tests need numpy, onnx and yaml: Debian '
          'python3-onnx, python3-yaml)' % e)
    sys.exit(77)

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, '..', '..', '..'))
sys.path.insert(0, os.path.join(ROOT, 'tools'))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)
import rnnc_torch  # noqa: E402
import rnnc_ckpt  # noqa: E402
import onnx_reference  # noqa: E402
from interop_data import MAKERS, byte_ids, kind_of  # noqa: E402

TOL = 1e-5
failures = []


def worst(diffs):
    """The largest of DIFFS (arrays or numbers); NaN if any is NaN, as when
    a graph reads a value the ONNX specification leaves undefined (the
    reference writes NaN there): max() would pass it over."""
    return float(np.max([np.max(np.abs(d)) for d in diffs] or [0.0]))


def check(what, diff, tol=TOL):
    ok = diff <= tol  # False for NaN
    print('  %-58s max abs diff %.3g%s' % (what, diff, '' if ok else '  FAIL (limit %g)' % tol))
    if not ok:
        failures.append(what)


def note(what, text):
    print('  %-58s %s' % (what, text))


def run(cmd, **kw):
    r = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kw)
    if r.returncode != 0:
        sys.exit('test_rnnc_onnx.py: %s failed (exit %d):\n%s%s' % (
            ' '.join(str(c) for c in cmd), r.returncode, r.stdout, r.stderr))
    return r.stdout


def tool(*args):
    rc = rnnc_torch.main([str(a) for a in args])
    if rc != 0:
        sys.exit('test_rnnc_onnx.py: rnnc_torch.py %s exited %d' % (' '.join(map(str, args)), rc))


# --------------------------------------------------------------------------
# The model's inputs, time first, and what rnnc's masks mean
# --------------------------------------------------------------------------

def feeds_of(inputs):
    """The ONNX inputs of a batch-first {'x' | 'ids'[, 'lengths']}."""
    feeds = {}
    if 'x' in inputs:
        feeds['x'] = np.ascontiguousarray(inputs['x'].transpose(1, 0, 2), dtype=np.float32)
    else:
        feeds['ids'] = np.ascontiguousarray(inputs['ids'].T)
    if 'lengths' in inputs:
        feeds['sequence_lens'] = inputs['lengths'].astype(np.int32)
    return feeds


def activate(z, act):
    if act == 'softmax':
        e = np.exp(z - z.max(-1, keepdims=True))
        return e / e.sum(-1, keepdims=True)
    return {'linear': lambda v: v, 'relu': lambda v: np.maximum(v, 0), 'tanh': np.tanh,
            'sigmoid': lambda v: 1 / (1 + np.exp(-v))}[act](z)


def head_of_zeros(model, f):
    """The output for a state of zeros: the dense layers on 0, or 0. The
    weights are rounded to float32 as in the ONNX model (a double build's
    files hold float64)."""
    x = np.zeros(model.recurrent_layers[-1].units)
    for layer in model.layers:
        if layer.kind == 'dense':
            w, b = (f.tensors[layer.name + key].astype(np.float32).astype(np.float64)
                    for key in ('.weight', '.bias'))
            x = activate(w.reshape(layer.units, layer.width_in) @ x + b.ravel(),
                         layer.activation)
    return x


def expected_under_mask(full, real, zero, per_step):
    """What rnnc gives for a sequence whose real steps are REAL [T] (bool),
    from FULL, the output for the same real steps at the front (per step
    [T, O], or last step [O]): step t holds the output after the k real
    steps up to t, that is FULL's step k-1; with no real step yet, ZERO."""
    count = np.cumsum(real)
    if not per_step:
        return full if count[-1] else zero
    return np.stack([full[k - 1] if k else zero for k in count])


def check_masks(model, f, m, feeds):
    """rnnc's masks at any position (see the module's docstring): the
    model's output and, per step, the states of its last recurrent layer
    (the value NAME/states), under holes or lengths, against the same
    sequences without."""
    T = model.length
    last = model.recurrent_layers[-1]
    key = last.name + '/states'
    zeros = {'output': head_of_zeros(model, f), key: np.zeros(last.units)}
    per_step = {'output': model.per_step, key: True}
    full = onnx_reference.run(m, feeds, keep=True)
    if model.mask == 'padding':
        pad = model.padding_id
        ids = feeds['ids']  # [T, n], padding after the end
        rows, cases = [], []
        for b in range(ids.shape[1]):
            n_real = int((ids[:, b] != pad).sum())
            if 2 <= n_real <= T - 2:  # room for two holes
                real_ids = ids[:n_real, b]
                holes = np.concatenate([[pad], real_ids[:1], [pad], real_ids[1:],
                                        [pad] * (T - n_real - 2)])
                rows.append(holes)
                cases.append((b, holes != pad))
        rows.append(np.full(T, pad))  # padding alone
        cases.append((None, np.zeros(T, bool)))
        what = 'mask padding: holes at the front and inside (%d rows), padding alone' % (
            len(rows) - 1)
        got = onnx_reference.run(m, {'ids': np.stack(rows, 1).astype(np.int64)}, keep=True)
    else:
        n = feeds['sequence_lens'].shape[0]
        lengths = np.array([0] + [min(T, 2)] * (n - 1), np.int32)
        full = onnx_reference.run(m, dict(feeds, sequence_lens=np.full(n, T, np.int32)),
                                  keep=True)
        got = onnx_reference.run(m, dict(feeds, sequence_lens=lengths), keep=True)
        cases = [(b, np.arange(T) < lengths[b]) for b in range(n)]
        what = 'mask lengths: 0 and 2 of %d steps' % T
    for name in ('output', key) if key in full else ('output',):  # no head: output
        diffs = []
        for i, (b, real) in enumerate(cases):
            if model.mask == 'lengths' and not per_step[name] and real.any():
                continue  # a last-step output of real steps: predict checked those
            if b is None:
                want = expected_under_mask(None, real, zeros[name], per_step[name])
            else:
                want = expected_under_mask(full[name][:, b] if per_step[name] else
                                           full[name][b], real, zeros[name], per_step[name])
            have = got[name][:, i] if per_step[name] else got[name][i]
            diffs.append(have - want)
        diff = worst(diffs)
        check('%s: %s' % (what, 'output' if name == 'output' else
                          '%s %s states per step' % (last.kind, last.name)), diff, 1e-12)


# --------------------------------------------------------------------------
# The program's outputs
# --------------------------------------------------------------------------

def predictions(model, program, ckpt, data):
    """predict's lines as (class or None, [values])."""
    lines = run([program, 'predict', *data.files, '--checkpoint', ckpt, '--threads', 1])
    out = []
    for line in lines.split('\n')[:-1]:
        if model.loss == 'cross_entropy':
            cls, prob = line.split()
            out.append((int(cls), [float(prob)]))
        else:
            out.append((None, [float(v) for v in line.split(',')]))
    return out


def compare_predict(what, model, preds, out):
    """OUT: the model's output [n, O] (the last step)."""
    if len(preds) != out.shape[0]:
        sys.exit('test_rnnc_onnx.py: predict printed %d lines for %d examples' %
                 (len(preds), out.shape[0]))
    diffs = []
    for i, (cls, values) in enumerate(preds):
        if cls is not None:
            best = int(out[i].argmax())
            if cls != best and abs(float(out[i, cls] - out[i, best])) > TOL:
                failures.append('%s: example %d: the program says class %d, ONNX %d' %
                                (what, i, cls, best))
            diffs.append(values[0] - out[i, cls])
        else:
            diffs.append(np.array(values) - out[i])
    diff = worst(diffs)
    check('%s: predict (%d examples)' % (what, len(preds)), diff)


def compare_eval_text(what, program, ckpt, data, out, y):
    """A text model: the program's eval loss against the cross-entropy of
    the ONNX probabilities OUT [T, n, V] and next bytes Y [n, T]."""
    line = run([program, 'eval', *data.files, '--checkpoint', ckpt, '--threads', 1])
    loss = float(line.split()[1])
    p = np.take_along_axis(out.transpose(1, 0, 2), y[..., None], -1)
    check('%s: eval loss (%.6f)' % (what, loss), abs(loss - float(-np.log(p).mean())))


def case(args):
    name = os.path.splitext(os.path.basename(args.spec))[0]
    work = os.path.join(args.work, name)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    model = rnnc_torch.load_spec(args.spec, args.rnnc, torch_names=False)
    kind = kind_of(model)
    print('%s: %s, %s data' % (name, rnnc_torch.summary(model), kind))
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    B = model.batch
    make = MAKERS[kind]
    train = make(model, rng, 1 if kind == 'text' else B, os.path.join(work, 'train'))
    more = dict(letters=train.letters) if kind == 'labelled' else {}
    test = make(model, rng, 2 if kind == 'text' else 2 * B + 1, os.path.join(work, 'test'),
                **more)
    ckpt = os.path.join(work, name + '.ckpt')
    run([args.program, 'train', *train.files, '--steps', 20, '--checkpoint', ckpt,
         '--val-split', 0, '--threads', 1, '--quiet'])
    path = os.path.join(work, name + '.onnx')
    tool('onnx', args.spec, ckpt, '-o', path, '--rnnc', args.rnnc)
    m = onnx.load(path)
    try:
        onnx.checker.check_model(m, full_check=True)
        note('onnx.checker.check_model (full_check)', 'passes')
    except onnx.checker.ValidationError as e:
        note('onnx.checker.check_model (full_check)', 'FAIL: %s' % e)
        failures.append('onnx.checker')
    note('operators', ' '.join(sorted({n.op_type for n in m.graph.node})))
    f = rnnc_ckpt.read(ckpt)
    vocab = byte_ids(f.vocab) if f.vocab else None
    inputs, y = test.tensors(vocab)
    feeds = feeds_of(inputs)
    out = onnx_reference.run(m, feeds)['output']
    last = out[-1] if model.per_step else out
    preds = None
    if kind == 'text':
        compare_eval_text('reference', args.program, ckpt, test, out, y)
    else:
        preds = predictions(model, args.program, ckpt, test)
        compare_predict('reference', model, preds, last)
    if model.mask != 'none':
        check_masks(model, f, m, feeds)
    # for --opencv
    np.savez(os.path.join(work, 'feeds.npz'), **feeds)
    with open(os.path.join(work, 'predict.txt'), 'w') as fp:
        for cls, values in preds or []:
            fp.write('%s %s\n' % ('-' if cls is None else cls, ' '.join(map(repr, values))))


# --------------------------------------------------------------------------
# OpenCV
# --------------------------------------------------------------------------

def attr(node, key, default=None):
    for a in node.attribute:
        if a.name == key:
            return onnx.helper.get_attribute_value(a)
    return default


def opencv_run(cv2, m, feeds, path):
    """M's output in OpenCV: inputs must be 4-D there ([T, B, I, 1])."""
    onnx.save(m, path)
    net = cv2.dnn.readNetFromONNX(path)
    for key, v in feeds.items():
        net.setInput(v.reshape(v.shape + (1,) * (4 - v.ndim)).astype(np.float32), key)
    return net.forward()


def for_opencv(m, batch, peephole_order=(0, 2, 1)):
    """A copy of M that OpenCV 4.6's importer takes: the batch fixed (its
    LSTM sizes its state at import), zeros given as a GRU's initial_h (its
    GRU wants all six inputs) and a peephole P reordered from ONNX's
    [i, o, f] by PEEPHOLE_ORDER ((0, 2, 1): [i, f, o], what OpenCV reads)."""
    m = onnx.ModelProto.FromString(m.SerializeToString())
    for v in list(m.graph.input) + list(m.graph.output):
        for d in v.type.tensor_type.shape.dim:
            if d.dim_param == 'batch':
                d.dim_value = batch
    inits = {t.name: t for t in m.graph.initializer}
    for node in m.graph.node:
        H = attr(node, 'hidden_size')
        if node.op_type == 'GRU':
            while len(node.input) < 6:
                node.input.append('')
            node.input[5] = node.name + '/initial_h'
            m.graph.initializer.append(numpy_helper.from_array(
                np.zeros((1, batch, H), np.float32), node.input[5]))
        if node.op_type == 'LSTM' and len(node.input) > 7 and node.input[7]:
            p = numpy_helper.to_array(inits[node.input[7]]).reshape(3, H)
            inits[node.input[7]].CopyFrom(numpy_helper.from_array(
                p[list(peephole_order)].reshape(1, 3 * H), node.input[7]))
    return m


def single_node(node, inits, x, batch, lbr=None):
    """NODE alone: input X [T, B, I], no sequence_lens, Y out; LBR
    overrides a GRU's linear_before_reset."""
    T, _, I = x.shape
    node = onnx.NodeProto.FromString(node.SerializeToString())
    node.input[0] = 'x'
    if len(node.input) > 4:
        node.input[4] = ''
    while not node.input[-1]:  # trailing empty inputs may be left out
        del node.input[-1]
    del node.output[1:]
    node.output[0] = 'Y'
    if lbr is not None:
        for a in node.attribute:
            if a.name == 'linear_before_reset':
                a.i = lbr
    H = attr(node, 'hidden_size')
    used = [inits[n] for n in node.input[1:] if n]
    g = onnx.helper.make_graph(
        [node], 'node', [onnx.helper.make_tensor_value_info('x', onnx.TensorProto.FLOAT,
                                                            [T, 'batch', I])],
        [onnx.helper.make_tensor_value_info('Y', onnx.TensorProto.FLOAT, [T, 1, 'batch', H])],
        used)
    return onnx.helper.make_model(g, opset_imports=[onnx.helper.make_opsetid('', 14)])


def opencv_case(args):
    try:
        import cv2
    except ImportError as e:
        print('test_rnnc_onnx.py --opencv: skipped: %s (Debian python3-opencv)' % e)
        sys.exit(77)
    cv2.setLogLevel(0)  # silent: the importer logs the errors this test expects
    name = os.path.splitext(os.path.basename(args.spec))[0]
    work = os.path.join(args.work, name)
    path = os.path.join(work, name + '.onnx')
    if not os.path.exists(path):
        sys.exit('test_rnnc_onnx.py --opencv: no %s: run the case first' % path)
    model = rnnc_torch.load_spec(args.spec, args.rnnc, torch_names=False)
    print('%s: %s; OpenCV %s' % (name, rnnc_torch.summary(model), cv2.__version__))
    m = onnx.load(path)
    feeds = dict(np.load(os.path.join(work, 'feeds.npz')))
    values = onnx_reference.run(m, feeds, keep=True)
    batch = feeds['x' if 'x' in feeds else 'ids'].shape[1]
    T = model.length
    lens = values.get('mask/n_real', np.full(batch, T))
    real = np.arange(T)[:, None] < lens[None, :]  # [T, B]: the steps a runtime computes
    inits = {t.name: t for t in m.graph.initializer}
    scratch = os.path.join(work, 'opencv.onnx')
    # a. each LSTM and GRU node alone
    for node in m.graph.node:
        what = '%s %s' % (node.op_type, node.name.split('/')[0])
        if node.op_type == 'RNN':  # without activations, which OpenCV refuses first
            probe = single_node(node, inits, values[node.input[0]], batch)
            probe.graph.node[0].ClearField('attribute')
            probe.graph.node[0].attribute.append(onnx.helper.make_attribute(
                'hidden_size', attr(node, 'hidden_size')))
            try:
                opencv_run(cv2, for_opencv(probe, batch), {'x': values[node.input[0]]},
                           scratch)
                note(what, 'FAIL: OpenCV imports RNN now: compare it')
                failures.append('OpenCV runs RNN')
            except cv2.error as e:
                ok = 'of type "RNN"' in str(e)
                note(what, 'not run: OpenCV %s has no RNN layer' % cv2.__version__ if ok else
                     'FAIL: OpenCV refuses it otherwise: %s' % str(e)[-200:])
                if not ok:
                    failures.append('OpenCV refuses RNN otherwise')
            continue
        if node.op_type not in ('LSTM', 'GRU'):
            continue
        x = values[node.input[0]].astype(np.float32)

        def diff_to(ref_model, cv_model):
            want = onnx_reference.run(ref_model, {'x': x})['Y'][:, 0]
            got = opencv_run(cv2, for_opencv(cv_model, batch, (0, 1, 2)), {'x': x}, scratch)
            got = got.reshape(want.shape)
            return worst([(got - want)[real]])
        alone = single_node(node, inits, x, batch)
        peephole = node.op_type == 'LSTM' and len(node.input) > 7 and node.input[7]
        lbr = attr(node, 'linear_before_reset', 0)
        if peephole:
            as_is = diff_to(alone, alone)
            check('%s: OpenCV, P given as [i, f, o]' % what,
                  diff_to(alone, for_opencv(alone, batch)))
            note('%s: OpenCV, P as exported [i, o, f]' % what,
                 'max abs diff %.3g: OpenCV %s reads P as [i, f, o]' % (as_is, cv2.__version__))
        elif node.op_type == 'GRU' and lbr == 0:
            check('%s (linear_before_reset 0): OpenCV vs the reference with 1' % what,
                  diff_to(single_node(node, inits, x, batch, lbr=1), alone))
            note('%s: OpenCV vs the reference (0)' % what, 'max abs diff %.3g: OpenCV %s '
                 'ignores linear_before_reset 0' % (diff_to(alone, alone), cv2.__version__))
        else:
            check('%s: OpenCV, real steps' % what, diff_to(alone, alone))
    # b. the whole model
    ops = {n.op_type for n in m.graph.node}
    lbr0 = any(n.op_type == 'GRU' and attr(n, 'linear_before_reset', 0) == 0
               for n in m.graph.node)
    if model.tokens or model.mask != 'none' or 'RNN' in ops or lbr0:
        why = 'token ids (a Gather of an input)' if model.tokens else \
            'a mask' if model.mask != 'none' else 'an RNN node' if 'RNN' in ops else \
            'a GRU with linear_before_reset 0'
        note('whole model: OpenCV', 'not run: OpenCV %s cannot run %s' % (cv2.__version__, why))
        return
    out = values['output']
    got = opencv_run(cv2, for_opencv(m, batch), feeds, scratch).reshape(out.shape)
    check('whole model: OpenCV vs the reference%s' % (
        ' (P given as [i, f, o])' if 'LSTM' in ops and any(
            len(n.input) > 7 and n.input[7] for n in m.graph.node) else ''),
          worst([got - out]))
    preds = []
    for line in open(os.path.join(work, 'predict.txt')):
        cls, *vals = line.split()
        preds.append((None if cls == '-' else int(cls), [float(v) for v in vals]))
    compare_predict('whole model: OpenCV', model, preds, got[-1] if model.per_step else got)


# --------------------------------------------------------------------------
# Bad input
# --------------------------------------------------------------------------

def bad(args):
    """`onnx` refuses what export refuses (bad/*.err), writing nothing."""
    work = os.path.join(args.work, 'bad')
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    name = os.path.splitext(os.path.basename(args.spec))[0]
    spec = name + '.rnn'
    shutil.copy(args.spec, os.path.join(work, spec))
    model = rnnc_torch.load_spec(args.spec, args.rnnc, torch_names=False)
    rng = np.random.default_rng(1)
    train = MAKERS[kind_of(model)](model, rng, model.batch, os.path.join(work, 'train'))
    run([args.program, 'train', *train.files, '--steps', 2, '--checkpoint',
         os.path.join(work, 'good.ckpt'), '--val-split', 0, '--threads', 1, '--quiet'])
    good = open(os.path.join(work, 'good.ckpt'), 'rb').read()
    # another spec hash: the same model with another learning rate
    text = open(args.spec).read()
    changed = text.replace('lr 0.03', 'lr 0.01')
    assert changed != text
    open(os.path.join(work, 'lr.rnn'), 'w').write(changed)
    # another model: the same layers under another name
    open(os.path.join(work, 'other.rnn'), 'w').write(
        text.replace('model %s ' % name, 'model other '))
    open(os.path.join(work, 'truncated.ckpt'), 'wb').write(good[:40])
    cases = {
        'other_model': ['other.rnn', 'good.ckpt'],
        'not_rnnc': [spec, spec],  # the spec where the checkpoint goes
        'truncated': [spec, 'truncated.ckpt'],
        'missing': [spec, 'missing.ckpt'],
        'other_hash': ['lr.rnn', 'good.ckpt'],  # its message holds hashes: not golden
    }
    for what, (spec_file, ckpt) in cases.items():
        out = what + '.onnx'
        r = subprocess.run([sys.executable, os.path.join(ROOT, 'tools', 'rnnc_torch.py'),
                            'onnx', spec_file, ckpt, '-o', out, '--rnnc', args.rnnc],
                           cwd=work, capture_output=True, text=True)
        problems = []
        if r.returncode != 1:
            problems.append('exit %d, want 1' % r.returncode)
        if what == 'other_hash':
            if 'good.ckpt was written for spec hash' not in r.stderr or \
                    '--ignore-hash' not in r.stderr:
                problems.append('stderr does not name the hash and --ignore-hash:\n' + r.stderr)
        else:
            golden = open(os.path.join(HERE, 'bad', what + '.err')).read()
            if r.stderr != golden:
                problems.append('stderr differs from bad/%s.err:\n--- want\n%s--- got\n%s' %
                                (what, golden, r.stderr))
        if os.path.exists(os.path.join(work, out)) or os.path.exists(
                os.path.join(work, out + '.tmp')):
            problems.append('a file was written')
        note('bad/' + what, 'refused%s' % ('' if what == 'other_hash' else
                                           ' as bad/%s.err says' % what)
             if not problems else 'FAIL: ' + '; '.join(problems))
        if problems:
            failures.append(what)
    # --ignore-hash exports the file of the other spec hash
    rc = rnnc_torch.main(['onnx', os.path.join(work, 'lr.rnn'), os.path.join(work, 'good.ckpt'),
                          '-o', os.path.join(work, 'lr.onnx'), '--ignore-hash',
                          '--rnnc', args.rnnc])
    ok = rc == 0 and os.path.exists(os.path.join(work, 'lr.onnx'))
    note('bad/other_hash --ignore-hash', 'exports' if ok else 'FAIL')
    if not ok:
        failures.append('--ignore-hash')


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--rnnc', required=True)
    ap.add_argument('--work', required=True)
    ap.add_argument('--spec', required=True)
    ap.add_argument('--program')
    ap.add_argument('--opencv', action='store_true')
    ap.add_argument('--bad', action='store_true')
    args = ap.parse_args()
    if args.opencv:
        opencv_case(args)
    elif args.bad:
        bad(args)
    else:
        case(args)
    if failures:
        print('test_rnnc_onnx.py: %d failed: %s' % (len(failures), ', '.join(failures)))
        return 1
    print('test_rnnc_onnx.py: all passed')
    return 0


if __name__ == '__main__':
    sys.exit(main())
