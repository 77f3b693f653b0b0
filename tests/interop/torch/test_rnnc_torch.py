#!/usr/bin/python3
"""test_rnnc_torch.py - tools/rnnc_torch.py against the programs it talks to.

  test_rnnc_torch.py --rnnc RNNC --programs DIR --work DIR NAME...
  test_rnnc_torch.py --rnnc RNNC --programs DIR --work DIR --bad

NAME (a spec in specs/, built as program DIR/NAME):
  1. rnnc -> torch: the program trains 20 steps on made-up data of the kind
     it reads (IDX images, a CSV series, LABEL<TAB>TEXT lines or text);
     `rnnc_torch.py export` writes NAME.py and NAME.pt; the module, loaded
     the way a user loads it, must give what the program gives on the same
     data: every `predict` line, the `eval` loss, and for text the greedy
     `sample` (top_k 1).
  2. torch -> rnnc: the module trains 5 steps in torch (train mode, so
     dropout is on), is saved with torch.save(m.state_dict()) and
     `rnnc_torch.py import`ed; the program's predict, eval (and sample) on
     the parameter file must equal the module's again, `info` must describe
     it, and `train --init FILE` must start from it: its step-1 loss is the
     module's loss on the same batch (models without dropout; with dropout
     the masks differ, so it must only train).
--bad: state_dicts with a missing, an extra, a misshaped tensor and a
  bias rnnc cannot hold: `rnnc_torch.py import` exits 1, writes nothing,
  and says what bad/CASE.err says, byte for byte; and `export` refuses a
  file written for another spec hash unless --ignore-hash.

Every comparison prints its largest absolute difference; the limit is 1e-5
(the program prints probabilities with 6 decimals, other outputs with 6
significant digits, losses with 6 decimals). Exit 0 pass, 1 fail, 77 skip
(no torch or numpy).
"""
import argparse
import ast
import contextlib
import csv
import importlib
import importlib.util
import io
import os
import shutil
import subprocess
import sys
import zlib

sys.dont_write_bytecode = True  # leave tools/ as git has it
try:
    import numpy as np
    import torch
    importlib.import_module('yaml')  # rnnc_torch.py reads the spec with it
except ImportError as e:  # a machine without torch: CTest reports a skip
    print('test_rnnc_torch.py: skipped: %s (the tests need torch, numpy and yaml)' % e)
    sys.exit(77)

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, '..', '..', '..'))
sys.path.insert(0, os.path.join(ROOT, 'tools'))
sys.path.insert(0, os.path.dirname(HERE))
import rnnc_torch  # noqa: E402
import rnnc_ckpt  # noqa: E402
from interop_data import MAKERS, byte_ids, kind_of  # noqa: E402

TOL = 1e-5
failures = []


def check(what, diff, tol=TOL):
    ok = diff <= tol
    print('  %-50s max abs diff %.3g%s' % (what, diff, '' if ok else '  FAIL (limit %g)' % tol))
    if not ok:
        failures.append(what)


def run(cmd, **kw):
    r = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kw)
    if r.returncode != 0:
        sys.exit('test_rnnc_torch.py: %s failed (exit %d):\n%s%s' % (
            ' '.join(str(c) for c in cmd), r.returncode, r.stdout, r.stderr))
    return r.stdout


def tool(*args):
    rc = rnnc_torch.main([str(a) for a in args])
    if rc != 0:
        sys.exit('test_rnnc_torch.py: rnnc_torch.py %s exited %d' % (' '.join(map(str, args)), rc))


# --------------------------------------------------------------------------
# Data the program reads (interop_data.py), and the same as tensors
# --------------------------------------------------------------------------

def as_torch(data, vocab):
    """DATA's inputs and targets as tensors."""
    inputs, y = data.tensors(vocab)
    return {k: torch.from_numpy(v) for k, v in inputs.items()}, torch.from_numpy(y)


# --------------------------------------------------------------------------
# The two sides
# --------------------------------------------------------------------------

def load_module(path, cls, weights=None):
    spec = importlib.util.spec_from_file_location(cls, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    m = getattr(mod, cls)()
    if weights:
        m.load_state_dict(torch.load(weights))
    return m.eval()


def check_imports(path):
    """NAME.py imports torch alone."""
    tree = ast.parse(open(path).read())
    names = {a.name for node in ast.walk(tree) if isinstance(node, ast.Import)
             for a in node.names}
    names |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    if not names <= {'torch', 'torch.nn', 'torch.nn.functional'}:
        failures.append('%s imports %s' % (path, ', '.join(sorted(names))))


def torch_outputs(m, inputs):
    with torch.no_grad():
        out = m(**inputs)
    return out[:, -1] if out.dim() == 3 else out  # predict prints the last step


def compare_predict(what, model, program, ckpt, data, inputs, m):
    lines = run([program, 'predict', *data.files, '--checkpoint', ckpt, '--threads', 1])
    lines = lines.split('\n')[:-1]
    out = torch_outputs(m, inputs).double()
    if len(lines) != out.shape[0]:
        sys.exit('test_rnnc_torch.py: predict printed %d lines for %d examples' %
                 (len(lines), out.shape[0]))
    diff = 0.0
    for i, line in enumerate(lines):
        if model.loss == 'cross_entropy':
            cls, prob = line.split()
            cls = int(cls)
            best = int(out[i].argmax())
            if cls != best and abs(float(out[i, cls] - out[i, best])) > TOL:
                failures.append('%s: example %d: the program says class %d, torch %d' %
                                (what, i, cls, best))
            diff = max(diff, abs(float(prob) - float(out[i, cls])))
        else:
            got = [float(v) for v in line.split(',')]
            diff = max(diff, float((torch.tensor(got, dtype=torch.float64) - out[i]).abs().max()))
    check('%s: predict (%d examples)' % (what, len(lines)), diff)


def compare_eval(what, program, ckpt, data, inputs, y, m):
    line = run([program, 'eval', *data.files, '--checkpoint', ckpt, '--threads', 1])
    loss = float(line.split()[1])
    with torch.no_grad():
        want = float(m.loss(**inputs, y=y))
    check('%s: eval loss (%.6f)' % (what, loss), abs(loss - want))


def greedy(m, ids, length):
    """What `sample --top-k 1` prints after the prime IDS: the argmax fed back."""
    seq = list(ids)
    with torch.no_grad():
        for _ in range(length):
            probs = m(ids=torch.tensor([seq]))[0, -1]
            seq.append(int(probs.argmax()))
    return seq[len(ids):]


def compare_sample(what, model, program, ckpt, m, vocab):
    prime = b'ab'
    out = run([program, 'sample', '--checkpoint', ckpt, '--prime', prime.decode(),
               '--length', 20, '--top-k', 1, '--threads', 1]).encode()
    got = out[len(prime):-1]
    inverse = {i: b for b, i in vocab.items()}
    want = bytes(inverse[i] for i in greedy(m, [vocab[b] for b in prime], 20))
    ok = got == want
    print('  %-50s %s' % (what + ': greedy sample', 'equal (%r)' % got.decode() if ok else
                          'FAIL: program %r, torch %r' % (got, want)))
    if not ok:
        failures.append(what + ': sample')


def has_dropout(model):
    return any(l.kind == 'dropout' or l.dropout > 0 or l.recurrent_dropout > 0
               for l in model.layers)


def case(args, name):
    spec = os.path.join(HERE, 'specs', name + '.rnn')
    program = os.path.join(args.programs, name)
    work = os.path.join(args.work, name)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    model = rnnc_torch.load_spec(spec, args.rnnc)
    kind = kind_of(model)
    print('%s: %s, %s data' % (name, rnnc_torch.summary(model), kind))
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    B = model.batch
    make = MAKERS[kind]
    train = make(model, rng, 1 if kind == 'text' else B, os.path.join(work, 'train'))
    # the test data holds only bytes the training data has (the vocabulary's)
    more = dict(letters=train.letters) if kind == 'labelled' else {}
    test = make(model, rng, 2 if kind == 'text' else 2 * B + 1, os.path.join(work, 'test'),
                **more)

    # 1. rnnc -> torch
    ckpt = os.path.join(work, name + '.ckpt')
    run([program, 'train', *train.files, '--steps', 20, '--checkpoint', ckpt, '--val-split', 0,
         '--threads', 1, '--quiet'])
    tool('export', spec, ckpt, '-o', work, '--rnnc', args.rnnc)
    f = rnnc_ckpt.read(ckpt)
    vocab = byte_ids(f.vocab) if f.vocab else None
    check_imports(os.path.join(work, name + '.py'))
    m = load_module(os.path.join(work, name + '.py'), name, os.path.join(work, name + '.pt'))
    x_test, y_test = as_torch(test, vocab)
    x_train, y_train = as_torch(train, vocab)
    if kind != 'text':
        compare_predict('rnnc->torch', model, program, ckpt, test, x_test, m)
    compare_eval('rnnc->torch', program, ckpt, test, x_test, y_test, m)
    if kind == 'text':
        compare_sample('rnnc->torch', model, program, ckpt, m, vocab)

    if has_dropout(model):  # dropout acts in train() only
        with torch.no_grad():
            m.train()
            a, b = m(**x_test), m(**x_test)
            m.eval()
            c, d = m(**x_test), m(**x_test)
        ok = not torch.equal(a, b) and torch.equal(c, d)
        print('  %-50s %s' % ('dropout', 'on in train(), off in eval()' if ok else 'FAIL'))
        if not ok:
            failures.append('dropout in train() and eval()')

    # 2. torch -> rnnc
    before = {k: v.clone() for k, v in m.state_dict().items()}
    m.train()
    opt = torch.optim.Adam([p for p in m.parameters() if p.requires_grad], lr=0.02)
    torch.manual_seed(1)
    for _ in range(5):
        opt.zero_grad()
        m.loss(**x_train, y=y_train).backward()
        opt.step()
    m.eval()
    with torch.no_grad():  # biases 1 on a stock module: a bias_hh trained elsewhere
        for key, p in m.named_parameters():  # folds into rnnc's bias_ih
            if key.endswith('bias_hh_l0') and not p.requires_grad:
                gru = isinstance(getattr(m, key.split('.')[0]), torch.nn.GRU)
                p[:2 * p.shape[0] // 3 if gru else None] += 0.1  # a GRU's b_hn stays 0
    moved = max(float((m.state_dict()[k] - before[k]).abs().max()) for k in before)
    if moved < 1e-3:
        failures.append('torch training did not change the weights')
    pt = os.path.join(work, 'torch.pt')
    torch.save(m.state_dict(), pt)
    params = os.path.join(work, 'torch.params')
    tool('import', spec, pt, '-o', params, '--rnnc', args.rnnc,
         *(['--vocab', ckpt] if model.tokens else []),
         *(['--double'] if f.precision == 'float64' else []))  # the build's precision
    m = load_module(os.path.join(work, name + '.py'), name, pt)
    if kind != 'text':
        compare_predict('torch->rnnc', model, program, params, test, x_test, m)
    compare_eval('torch->rnnc', program, params, test, x_test, y_test, m)
    if kind == 'text':
        compare_sample('torch->rnnc', model, program, params, m, vocab)
    # and out again, from the parameter file: the same module
    again = os.path.join(work, 'again')
    os.makedirs(again)
    tool('export', spec, params, '-o', again, '--rnnc', args.rnnc)
    m2 = load_module(os.path.join(again, name + '.py'), name, os.path.join(again, name + '.pt'))
    check('torch->rnnc->torch: outputs', float((torch_outputs(m2, x_test) -
                                                torch_outputs(m, x_test)).abs().max()))
    info = run([program, 'info', '--checkpoint', params])
    if model.hash not in info:
        failures.append('info does not show the spec hash:\n' + info)
    helptext = run([program, 'train', '--help'])
    if '--init' not in helptext:
        print('  %-50s not run: the program has no --init yet' % 'torch->rnnc: train --init')
        return
    log = os.path.join(work, 'init.csv')
    run([program, 'train', *train.files, '--init', params, '--steps', 2, '--eval-every', 1,
         '--log', log, '--checkpoint', os.path.join(work, 'init.ckpt'), '--val-split', 0,
         '--threads', 1, '--quiet'])
    rows = list(csv.DictReader(open(log)))
    losses = [float(r['train_loss']) for r in rows]
    if has_dropout(model):
        ok = len(losses) == 2 and all(np.isfinite(losses))
        print('  %-50s %s' % ('torch->rnnc: train --init (dropout on)',
                              'trains: losses %s' % losses if ok else 'FAIL %s' % losses))
        if not ok:
            failures.append('train --init')
        return
    with torch.no_grad():
        want = float(m.loss(**x_train, y=y_train))
    check('torch->rnnc: train --init, step-1 loss (%.6f)' % losses[0], abs(losses[0] - want))


# --------------------------------------------------------------------------
# Bad state_dicts
# --------------------------------------------------------------------------

BAD_MODEL = 'io_stack_dropout'


def bad(args):
    work = os.path.join(args.work, 'bad')
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    shutil.copy(os.path.join(HERE, 'specs', BAD_MODEL + '.rnn'), work)
    spec = BAD_MODEL + '.rnn'
    tool('export', os.path.join(work, spec), '-o', work, '--rnnc', args.rnnc)
    m = load_module(os.path.join(work, BAD_MODEL + '.py'), BAD_MODEL)
    good = m.state_dict()
    torch.save(good, os.path.join(work, 'good.pt'))
    cases = {}
    sd = dict(good)
    del sd['enc.weight_hh_l0']
    cases['missing'] = sd
    sd = dict(good)
    sd['enc.weight_hh_l1'] = torch.zeros(24, 6)
    cases['extra'] = sd
    sd = dict(good)
    sd['out.weight'] = torch.zeros(4, 3)
    cases['misshaped'] = sd
    sd = dict(good)
    sd['mid.bias_hh_l0'] = torch.full((15,), 0.5)
    cases['bias_hh_n'] = sd
    for what, sd in cases.items():
        torch.save(sd, os.path.join(work, what + '.pt'))
        out = what + '.params'
        r = subprocess.run([sys.executable, os.path.join(ROOT, 'tools', 'rnnc_torch.py'),
                            'import', spec, what + '.pt', '-o', out, '--rnnc', args.rnnc],
                           cwd=work, capture_output=True, text=True)
        golden = open(os.path.join(HERE, 'bad', what + '.err')).read()
        problems = []
        if r.returncode != 1:
            problems.append('exit %d, want 1' % r.returncode)
        if r.stderr != golden:
            problems.append('stderr differs from bad/%s.err:\n--- want\n%s--- got\n%s' %
                            (what, golden, r.stderr))
        if os.path.exists(os.path.join(work, out)) or os.path.exists(
                os.path.join(work, out + '.tmp')):
            problems.append('a file was written')
        print('  %-50s %s' % ('bad/' + what, 'refused as bad/%s.err says' % what
                              if not problems else 'FAIL: ' + '; '.join(problems)))
        if problems:
            failures.append(what)


def other_hash(args):
    """export refuses a file of the same model written for another spec
    hash, unless --ignore-hash (in this process: the CLI ran above)."""
    work = os.path.join(args.work, 'bad')
    spec = os.path.join(work, BAD_MODEL + '.rnn')
    params = os.path.join(work, 'good.params')
    tool('import', spec, os.path.join(work, 'good.pt'), '-o', params, '--rnnc', args.rnnc)
    text = open(spec).read().replace('lr 0.03', 'lr 0.01')
    lr = os.path.join(work, 'lr.rnn')
    open(lr, 'w').write(text)
    out = os.path.join(work, 'lr')
    argv = ['export', lr, params, '-o', out, '--rnnc', args.rnnc]
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        rc = rnnc_torch.main(argv)
    ok = rc == 1 and 'good.params was written for spec hash' in err.getvalue() and \
        '--ignore-hash' in err.getvalue() and not os.path.exists(out)
    ok = ok and rnnc_torch.main(argv + ['--ignore-hash']) == 0 and len(os.listdir(out)) == 2
    print('  %-50s %s' % ('bad/export of another spec hash', 'refused; --ignore-hash exports'
                          if ok else 'FAIL:\n' + err.getvalue()))
    if not ok:
        failures.append('export of another spec hash')


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--rnnc', required=True)
    ap.add_argument('--programs', required=True)
    ap.add_argument('--work', required=True)
    ap.add_argument('--bad', action='store_true')
    ap.add_argument('names', nargs='*')
    args = ap.parse_args()
    torch.set_num_threads(1)
    if args.bad:
        bad(args)
        other_hash(args)
    for name in args.names:
        case(args, name)
    if failures:
        print('test_rnnc_torch.py: %d failed: %s' % (len(failures), ', '.join(failures)))
        return 1
    print('test_rnnc_torch.py: all passed')
    return 0


if __name__ == '__main__':
    sys.exit(main())
