#!/usr/bin/python3
"""test_rnnc_ckpt.py - tools/rnnc_ckpt.py against the programs' own files.

    test_rnnc_ckpt.py CASE --programs DIR --work DIR

CASE:
  series, chargen, lang_rnn
      train the model 3 steps on data made here (series: no vocabulary;
      chargen: stateful, a vocabulary with bytes YAML escapes; lang_rnn: a
      padding id and a validation loss), then: the reader agrees with the
      program's `info`; write_checkpoint gives the checkpoint's bytes and
      its manifest's; write_params gives `NAME export`'s bytes; `info`,
      `eval`, `train --init` (and `predict`) take what Python wrote; the
      other precision
      written by Python is taken too, and in a float build evaluates the same;
      series: an edited tensor reaches the program.
  damaged
      a truncated file, a flipped byte and a bad magic (and a newer format,
      an unknown section) are refused by the reader and its command line
      with messages that name the file, the byte and what to do; an
      RnncFile that cannot be written leaves nothing behind.

Prints FAIL lines and exits 1 on failure, 77 (CTest: skipped) without numpy.
"""
import argparse
import math
import os
import random
import shutil
import struct
import subprocess
import sys
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, '..', '..'))
TOOL = os.path.join(ROOT, 'tools', 'rnnc_ckpt.py')
sys.path.insert(0, os.path.join(ROOT, 'tools'))
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
try:
    import numpy as np
    import rnnc_ckpt
except ImportError as e:  # the Python without numpy: say so, and skip
    print('SKIP: %s (run with /usr/bin/python3, Debian python3-numpy)' % e)
    sys.exit(77)

failures = []


def check(what, ok, detail=''):
    if not ok:
        failures.append(what)
        print('FAIL: %s%s' % (what, '\n    ' + detail if detail else ''))


def run(args, code=0):
    """Runs ARGS; checks its exit status; returns (stdout, stderr)."""
    p = subprocess.run(args, capture_output=True, text=True, errors='replace')
    check('%s exits %d' % (' '.join(args), code), p.returncode == code,
          'exit %d: %s' % (p.returncode, p.stderr.strip()[-400:]))
    return p.stdout, p.stderr


def same_bytes(what, a, b):
    with open(a, 'rb') as fa, open(b, 'rb') as fb:
        x, y = fa.read(), fb.read()
    where = next((i for i in range(min(len(x), len(y))) if x[i] != y[i]), min(len(x), len(y)))
    check('%s: %s and %s are the same bytes' % (what, a, b), x == y,
          'sizes %d and %d, first difference at byte %d' % (len(x), len(y), where))


# --------------------------------------------------------------------------
# Data, made here so that a fresh clone needs nothing else
# --------------------------------------------------------------------------

WORDS_EN = 'the of and to in is you that it he was for on are as with his they at be'.split()
WORDS_DE = 'der die und über für größe schön müde straße grün weiß zu das mit'.split()


def make_series(path):
    """Seed 001's series, as examples/prepare_data.sh makes it."""
    with open(path, 'w') as out:
        for i in range(301):
            t = i * 0.1
            out.write('%.6f\n' % (t * math.sin(t) / 3 + 2 * math.sin(5 * t)))


def make_text(path):
    """40 kB of words, with a tab, quotes, a backslash and UTF-8 bytes, so
    the manifest's vocab_bytes needs every kind of escape."""
    r = random.Random(1)
    words = WORDS_EN + WORDS_DE + ['"quoted"', 'back\\slash', 'tab\there']
    text = ' '.join(r.choice(words) for _ in range(8000))
    with open(path, 'wb') as out:
        out.write(text.encode('utf-8') + b'\n')


def make_labelled(path):
    r = random.Random(2)
    with open(path, 'wb') as out:
        for _ in range(600):
            label = r.randint(0, 1)
            word = r.choice(WORDS_DE if label else WORDS_EN) + r.choice('abcdefgh')
            out.write(('%d\t%s\n' % (label, word)).encode('utf-8'))


MODELS = {  # name: (data maker, file name)
    'series': (make_series, 'series.csv'),
    'chargen': (make_text, 'text.txt'),
    'lang_rnn': (make_labelled, 'words.tsv'),
}


# --------------------------------------------------------------------------
# The model cases
# --------------------------------------------------------------------------

def info_lines(f, path):
    """What the program's `info` prints about PATH (runtime/program/ckpt.c's
    print_description), from what the reader read."""
    lines = ['%-15s%s' % ('checkpoint' if f.kind == 'checkpoint' else 'parameter file', path),
             'model          %s' % f.model, 'spec hash      %s' % f.spec_hash,
             'format         %d' % f.version,
             'precision      %s' % {'float32': 'float', 'float64': 'double'}[f.precision]]
    if f.kind == 'checkpoint':
        lines += ['step           %d' % f.step,
                  'epoch          %d (position %d, %d examples seen)'
                  % (f.epoch, f.position, f.examples_seen),
                  'optimizer      step %d, %d slots per parameter' % (f.opt_step, f.n_slots),
                  'best valid     %s' % ('none' if f.best_valid == math.inf
                                         else '%.6g' % f.best_valid)]
    lines += ['vocabulary     %d ids' % len(f.vocab or []),
              'shape          T %d, B %d' % (f.length, f.batch),
              'parameters     %d in %d tensors' % (f.n_params, len(f.tensors))]
    offset = 0
    for name, t in f.tensors.items():
        lines.append('  %-28s [%d][%d]  offset %d' % (name, t.shape[0], t.shape[1], offset))
        offset += t.size
    return lines


def agrees_with_info(program, f, path):
    out, _ = run([program, 'info', '--checkpoint', path])
    lines = out.splitlines()
    start = next((i for i, l in enumerate(lines) if l.startswith(('checkpoint ', 'parameter '))
                  and not l.endswith(':')), len(lines))
    want = info_lines(f, path)
    got = lines[start:start + len(want)]
    check('%s: the reader agrees with `info`' % path, got == want,
          '\n    '.join('%s | %s' % (w, g) for w, g in zip(want, got) if w != g) or
          'info printed %d of the %d lines' % (len(got), len(want)))


def check_contents(name, f, data):
    """What the data and the spec say the checkpoint holds."""
    check('%s: a checkpoint' % name, f.kind == 'checkpoint')
    check('%s: named %s' % (name, name), f.model == name)
    check('%s: a 64-digit spec hash' % name,
          len(f.spec_hash) == 64 and all(c in '0123456789abcdef' for c in f.spec_hash))
    check('%s: 3 steps' % name, f.step == 3 and f.opt_step == 3)
    check('%s: slots [n_slots][n_params]' % name, f.slots.shape == (f.n_slots, f.n_params))
    check('%s: the parameters are finite' % name, np.isfinite(f.params()).all())
    if name == 'series':
        check('series: no vocabulary', f.vocab is None and f.padding_id == -1)
        return
    with open(data, 'rb') as fp:
        raw = fp.read()
    if name == 'lang_rnn':  # labels and tabs are not tokens; the padding id is 0
        raw = b''.join(line.split(b'\t', 1)[1][:-1] for line in raw.splitlines(True))
        check('lang_rnn: padding id 0, no byte', f.padding_id == 0 and f.vocab[0] == b'')
        check('lang_rnn: a validation loss', math.isfinite(f.best_valid))
    else:
        check('chargen: a carried state', np.count_nonzero(f.state) > 0)
    tokens = [bytes([b]) for b in sorted(set(raw))]
    check('%s: the vocabulary is the data\'s bytes in order' % name,
          [t for t in f.vocab if t] == tokens, '%r\n    %r' % (f.vocab, tokens))


def model_case(name, programs, work):
    program = os.path.join(programs, name)
    maker, data_name = MODELS[name]
    data = os.path.join(work, data_name)
    maker(data)
    ckpt = os.path.join(work, name + '.ckpt')
    run([program, 'train', data, '--steps', '3', '--checkpoint', ckpt, '--threads', '1',
         '--quiet'])
    f = rnnc_ckpt.read(ckpt)
    check_contents(name, f, data)
    agrees_with_info(program, f, ckpt)

    # (b) the checkpoint rewritten, with its manifest
    copy = os.path.join(work, 'python.ckpt')
    rnnc_ckpt.write_checkpoint(copy, f)
    same_bytes('write_checkpoint', ckpt, copy)
    same_bytes('the manifest', ckpt + '.yaml', copy + '.yaml')

    # (c) the parameter file, from the checkpoint and from export's file
    exported = os.path.join(work, 'export.params')
    run([program, 'export', '--checkpoint', ckpt, '--out', exported])
    params = os.path.join(work, 'python.params')
    rnnc_ckpt.write_params(params, f)
    same_bytes('write_params of the checkpoint', exported, params)
    p = rnnc_ckpt.read(exported)
    check('export: a parameter file without the training sections',
          p.kind == 'parameters' and p.slots is None and p.step is None)
    agrees_with_info(program, p, exported)
    again = os.path.join(work, 'again.params')
    rnnc_ckpt.write_params(again, p)
    same_bytes('write_params of the parameter file', exported, again)

    # (d) the program takes what Python wrote
    agrees_with_info(program, rnnc_ckpt.read(params), params)
    eval_theirs, _ = run([program, 'eval', data, '--checkpoint', exported, '--threads', '1'])
    eval_ours, _ = run([program, 'eval', data, '--checkpoint', params, '--threads', '1'])
    check('%s eval: the same with the file Python wrote' % name,
          eval_ours == eval_theirs and eval_ours.startswith('loss '), eval_ours + eval_theirs)
    started = os.path.join(work, 'init.ckpt')
    run([program, 'train', data, '--init', params, '--steps', '1', '--checkpoint', started,
         '--threads', '1', '--quiet'])
    s = rnnc_ckpt.read(started)
    check('%s train --init: a new run from the file Python wrote, with its vocabulary' % name,
          s.step == 1 and s.opt_step == 1 and s.vocab == f.vocab, '%s %s' % (s.step, s.vocab))

    # (e) the other precision, written by Python
    other_precision(program, name, data, p, eval_theirs, work)
    if name == 'series':
        edited_tensor(program, data, p, work)
    cli(f, ckpt)


def other_precision(program, name, data, p, eval_native, work):
    native = p.precision
    p.precision = 'float64' if native == 'float32' else 'float32'
    path = os.path.join(work, p.precision + '.params')
    rnnc_ckpt.write_params(path, p)
    q = rnnc_ckpt.read(path)
    check('%s: written and read back in %s' % (name, p.precision),
          q.precision == p.precision and
          all(t.dtype == np.dtype(p.precision) for t in q.tensors.values()))
    agrees_with_info(program, q, path)
    out, _ = run([program, 'eval', data, '--checkpoint', path, '--threads', '1'])
    if native == 'float32':  # float32 -> float64 is exact: the same figures
        check('%s eval: float64 parameters evaluate as the float32 ones' % name,
              out == eval_native, out + eval_native)
    p.precision = native


def edited_tensor(program, data, p, work):
    """A tensor changed in Python is the one the program uses: out = 0.5."""
    p.tensors['out.weight'][:] = 0
    p.tensors['out.bias'][:] = 0.5
    path = os.path.join(work, 'edited.params')
    rnnc_ckpt.write_params(path, p)
    out, _ = run([program, 'predict', data, '--checkpoint', path, '--threads', '1'])
    values = set(out.split())
    check('series predict: the edited head gives 0.5 everywhere', values == {'0.5'}, str(values))


def cli(f, path):
    out, _ = run([sys.executable, TOOL, path])
    want = ['checkpoint     ' + path, 'model          ' + f.model,
            'spec hash      ' + f.spec_hash, 'format         1', 'precision      ' + f.precision]
    check('rnnc_ckpt.py FILE: kind, model, hash, precision', out.splitlines()[:5] == want, out)
    first = next(iter(f.tensors))
    line = next((l for l in out.splitlines() if l.startswith('  %s ' % first)), '')
    check('rnnc_ckpt.py FILE: the first tensor and its first values',
          ('%.6g' % f.tensors[first].ravel()[0]) in line, line)
    out, _ = run([sys.executable, TOOL, '--sections', path])
    tags = [l.split()[0] for l in out.splitlines()[1:]]
    check('rnnc_ckpt.py --sections: the sections in order',
          tags == list(rnnc_ckpt.SECTIONS['checkpoint']) + ['CRC'], out)


# --------------------------------------------------------------------------
# Damaged files
# --------------------------------------------------------------------------

def refused(path, *phrases):
    """The reader and the command line refuse PATH, naming it and saying
    what to do; the message holds every phrase."""
    try:
        rnnc_ckpt.read(path)
        check('%s is refused' % path, False, 'read it without complaint')
        return None
    except rnnc_ckpt.FormatError as e:
        msg = str(e)
    for phrase in (path + ': ',) + phrases:
        check('%s: the message says %r' % (os.path.basename(path), phrase), phrase in msg, msg)
    _, err = run([sys.executable, TOOL, path], code=1)
    check('rnnc_ckpt.py %s: the message on stderr' % os.path.basename(path),
          err == 'rnnc_ckpt.py: error: %s\n' % msg, err)
    return msg


def section_at(data, tag):
    """Where section TAG starts in DATA, walked as docs/checkpoint-format.md
    says: the header is 16 bytes, a section 12 + its length."""
    pos = 16
    while data[pos:pos + 4] != tag.encode():
        pos += 12 + struct.unpack_from('<Q', data, pos + 4)[0]
    return pos


def damaged_case(programs, work):
    program = os.path.join(programs, 'series')
    data = os.path.join(work, 'series.csv')
    make_series(data)
    ckpt = os.path.join(work, 'series.ckpt')
    run([program, 'train', data, '--steps', '3', '--checkpoint', ckpt, '--threads', '1',
         '--quiet'])
    with open(ckpt, 'rb') as fp:
        good = fp.read()
    advice = 'use an earlier checkpoint or train from scratch'

    def damaged(name, data):
        path = os.path.join(work, name)
        with open(path, 'wb') as out:
            out.write(data)
        return path

    # (f) truncated inside OPTS: the same message as the program's
    opts = section_at(good, 'OPTS')
    cut = damaged('truncated.ckpt', good[:opts + 1000])
    msg = refused(cut, 'ends at byte %d inside section OPTS (which starts at byte %d'
                  % (opts + 1000, opts), 'truncated', advice)
    _, err = run([program, 'info', '--checkpoint', cut], code=1)
    check('truncated: the program says the same', err == 'series: error: %s\n' % msg, err)

    flip = bytearray(good)
    flip[5000] ^= 0x40  # a parameter
    refused(damaged('flipped.ckpt', bytes(flip)), 'checksum mismatch',
            'stored at byte %d' % (len(good) - 4), 'damaged', advice)

    refused(damaged('magic.ckpt', b'X' + good[1:]), 'not an rnnc checkpoint or parameter file',
            'byte 0', 'check the path')

    newer = bytearray(good)
    newer[8] = 2
    refused(damaged('newer.ckpt', bytes(newer)), 'written by a newer rnnc (format 2 at byte 8)')

    # a section the format does not know, with a valid CRC
    unknown = bytearray(good[:-4])
    at = section_at(good, 'VOCB')
    unknown[at:at + 4] = b'VOCX'
    unknown += struct.pack('<I', zlib.crc32(unknown))
    refused(damaged('unknown.ckpt', bytes(unknown)), "unknown section 'VOCX' at byte %d" % at)

    unwritable(ckpt, work)


def unwritable(ckpt, work):
    """Writes that cannot succeed raise FormatError and leave the
    directory as it was: no temporary file, the old file untouched."""
    f = rnnc_ckpt.read(ckpt)
    target = os.path.join(work, 'target.params')
    rnnc_ckpt.write_params(target, f)
    before = sorted(os.listdir(work))
    with open(target, 'rb') as fp:
        old = fp.read()
    f.tensors['out.bias'] = np.zeros((1, 1, 1), np.float32)
    cases = [('a 3-D tensor', lambda: rnnc_ckpt.write_params(target, f), "'out.bias' has shape")]
    p = rnnc_ckpt.read(target)
    p.vocab = [b'ab']
    cases.append(('a two-byte token', lambda: rnnc_ckpt.write_params(target, p),
                  'token 0 is 2 bytes'))
    cases.append(('a parameter file as a checkpoint',
                  lambda: rnnc_ckpt.write_checkpoint(target, rnnc_ckpt.read(target)),
                  'not a checkpoint'))
    for what, write, phrase in cases:
        try:
            write()
            check('%s is refused' % what, False)
        except rnnc_ckpt.FormatError as e:
            check('%s: the message says %r' % (what, phrase), phrase in str(e) and
                  str(e).startswith(target + ': cannot write: '), str(e))
    with open(target, 'rb') as fp:
        check('the old file is untouched', fp.read() == old)
    check('no file left behind', sorted(os.listdir(work)) == before,
          str(set(os.listdir(work)) ^ set(before)))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('case', choices=sorted(MODELS) + ['damaged'])
    ap.add_argument('--programs', required=True, help='the directory of the model programs')
    ap.add_argument('--work', required=True, help='a directory for this case (emptied)')
    args = ap.parse_args()
    programs = os.path.abspath(args.programs)
    work = os.path.join(os.path.abspath(args.work), args.case)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    os.chdir(work)  # messages name files as given: keep the paths short
    if args.case == 'damaged':
        damaged_case(programs, '.')
    else:
        model_case(args.case, programs, '.')
    if failures:
        print('%s: %d checks failed' % (args.case, len(failures)))
        return 1
    print('%s: every check passed' % args.case)
    return 0


if __name__ == '__main__':
    sys.exit(main())
