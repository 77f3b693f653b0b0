#!/usr/bin/python3
"""rnnc_ckpt.py - read and write rnnc checkpoints and parameter files.

Written from docs/checkpoint-format.md (and checked against the runtime's
own files by tests/interop): the standard library and numpy, nothing else.

As a module:

    import rnnc_ckpt
    f = rnnc_ckpt.read('chargen.ckpt')       # or a parameter file
    f.kind, f.model, f.spec_hash, f.precision
    f.tensors['lstm1.weight_ih']             # numpy [512, 128], file order
    f.vocab                                  # [b'\\n', b' ', b'a', ...] or None
    rnnc_ckpt.write_params('chargen.params', f)      # what `chargen export` writes
    rnnc_ckpt.write_checkpoint('copy.ckpt', f)       # every section, and copy.ckpt.yaml

A damaged file (bad magic, a newer format, a CRC mismatch, truncation, a
malformed section) raises FormatError, whose message names the file, the
byte or section and what to do; so does an RnncFile that cannot be written.
Writes are atomic: the bytes are built and checked first, then written to a
temporary file in the same directory, fsync'd and renamed over PATH.

From the command line:

    /usr/bin/python3 tools/rnnc_ckpt.py FILE [--values N]   describe FILE
    /usr/bin/python3 tools/rnnc_ckpt.py --sections FILE     its section table

Exit status: 0 ok, 1 the file is refused, 2 usage error.
"""
import argparse
import dataclasses
import math
import os
import struct
import sys
import zlib

import numpy as np

FORMAT_VERSION = 1  # the version of both kinds this module reads and writes

MAGIC = {b'RNNCKPT\0': 'checkpoint', b'RNNCPARM': 'parameters'}
MAGIC_OF = {kind: magic for magic, kind in MAGIC.items()}
SECTIONS = {
    'checkpoint': ('MODL', 'TENS', 'PARM', 'OPTS', 'STAT', 'RNGS', 'VOCB', 'CURS', 'LOGS'),
    'parameters': ('MODL', 'TENS', 'PARM', 'VOCB'),
}
WHAT = {'checkpoint': 'checkpoint', 'parameters': 'parameter file'}
# what to do about a damaged file, as the runtime says it
ADVICE = {
    'checkpoint': 'use an earlier checkpoint or train from scratch',
    'parameters': 'export it again from its checkpoint (NAME export)',
}
PRECISION = {4: 'float32', 8: 'float64'}
REAL_SIZE = {name: size for size, name in PRECISION.items()}

HEADER_BYTES = 16      # magic, version, real size
SECTION_HEAD_BYTES = 12  # u32 tag, u64 length
CRC_BYTES = 4
MAX_NAME_BYTES = 1024
TENSOR_MIN_BYTES = 4 + 4 + 4 + 8  # an empty name, rows, cols, offset
VOCB_BYTES = 8 + 256 * 4
MAX_VOCAB_IDS = 1 << 24
FIXED_LENGTHS = {'RNGS': 64, 'VOCB': VOCB_BYTES, 'CURS': 24, 'LOGS': 16}
OPTS_HEAD_BYTES = 16   # optimizer step, last norm


class FormatError(ValueError):
    """A file (or an RnncFile to write) that is not a valid rnnc file.

    path, offset (a byte of the file, or None) and section (a tag, or
    None) say where; str() is the whole message."""

    def __init__(self, message, path=None, offset=None, section=None):
        super().__init__(message)
        self.path, self.offset, self.section = path, offset, section


@dataclasses.dataclass(eq=False)  # arrays have no single truth value to compare by
class RnncFile:
    """A checkpoint or a parameter file, section by section.

    tensors hold PARM cut as TENS says: name -> array [rows, cols] (a
    vector is [rows, 1]: TENS does not tell it from a one-column matrix),
    in file order, of the precision's dtype. vocab is the byte vocabulary,
    token id -> its bytes (b'' for the padding id and unused ids), None
    for a model without one (VOCB size 0).

    To write: tensors may be 1-D (a vector, [n] is [n, 1]) or 2-D of any
    float dtype (cast to the precision); their order gives the offsets.
    length, batch and n_slots are MODL's T, B and slot count: no loader
    checks them in a parameter file, but `NAME export` writes the model's
    (`NAME info` prints T and B), so copy them from a file of the model to
    get its bytes. The fields after version exist in a checkpoint only
    and are None in a parameter file."""
    kind: str = 'parameters'          # 'checkpoint' or 'parameters'
    model: str = ''
    spec_hash: str = ''
    precision: str = 'float32'        # 'float32' or 'float64'
    tensors: dict = dataclasses.field(default_factory=dict)
    vocab: list = None
    padding_id: int = -1              # the id reserved for padding; -1: none
    length: int = 0                   # T
    batch: int = 0                    # B
    n_slots: int = 0                  # optimizer slots per parameter
    version: int = FORMAT_VERSION
    opt_step: int = None              # OPTS: updates done
    last_norm: float = None           # OPTS: gradient norm of the last step
    slots: np.ndarray = None          # OPTS: [n_slots, n_params]
    state: np.ndarray = None          # STAT: the model's state struct as reals
    dropout_rng: tuple = None         # RNGS: 4 words of xoshiro256** state
    data_rng: tuple = None            # RNGS: 4 more, the data order's
    epoch: int = None                 # CURS
    position: int = None              # CURS
    examples_seen: int = None         # CURS
    step: int = None                  # LOGS: training steps done
    best_valid: float = None          # LOGS: best validation loss; inf: none

    @property
    def n_params(self):
        return sum(int(np.size(t)) for t in self.tensors.values())

    @property
    def dtype(self):
        return np.dtype('<f%d' % REAL_SIZE[self.precision])

    def params(self):
        """PARM: every tensor, flat, in file order."""
        if not self.tensors:
            return np.zeros(0, self.dtype)
        return np.concatenate([np.asarray(t, self.dtype).ravel() for t in self.tensors.values()])


# --------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------

class _Reader:
    """A cursor over one section's payload that refuses to leave it."""

    def __init__(self, data, path, tag, start, length):
        self.data, self.path, self.tag = data, path, tag
        self.pos, self.end = start, start + length

    def take(self, n, what):
        if self.end - self.pos < n:
            raise FormatError('%s: section %s is malformed at byte %d: %s runs past the section\'s '
                              'end at byte %d' % (self.path, self.tag, self.pos, what, self.end),
                              self.path, self.pos, self.tag)
        b = self.data[self.pos:self.pos + n]
        self.pos += n
        return b

    def u32(self, what):
        return struct.unpack('<I', self.take(4, what))[0]

    def u64(self, what):
        return struct.unpack('<Q', self.take(8, what))[0]

    def i32(self, what):
        return struct.unpack('<i', self.take(4, what))[0]

    def i64(self, what):
        return struct.unpack('<q', self.take(8, what))[0]

    def f64(self, what):
        return struct.unpack('<d', self.take(8, what))[0]

    def string(self, what):
        n = self.u32(what + "'s length")
        return bytes(self.take(n, what))

    def finish(self):
        if self.pos != self.end:
            raise FormatError('%s: section %s is malformed at byte %d: %d bytes left after its '
                              'last field' % (self.path, self.tag, self.pos, self.end - self.pos),
                              self.path, self.pos, self.tag)


class _Truncated(FormatError):
    """A file that ends early: said so even when its CRC fails too."""


class _File:
    """The bytes of one file, its kind and where its sections are."""

    def __init__(self, data, path):
        self.data, self.path = data, path
        self.kind, self.version, self.real_size = None, None, None
        self.sections = {}  # tag -> (offset of the tag, payload offset, length)

    def damaged(self, why, offset=None, section=None):
        return FormatError('%s: %s: the file is damaged; %s' % (self.path, why, ADVICE[self.kind]),
                           self.path, offset, section)

    def truncated(self, why, offset=None, section=None):
        return _Truncated('%s: ends at byte %d %s: the file is truncated; %s'
                           % (self.path, len(self.data), why, ADVICE[self.kind]),
                           self.path, offset, section)

    def reader(self, tag):
        _, payload, length = self.sections[tag]
        return _Reader(self.data, self.path, tag, payload, length)

    def malformed(self, tag, offset, why):
        return self.damaged('section %s (at byte %d) is malformed at byte %d: %s'
                            % (tag, self.sections[tag][0], offset, why), offset, tag)

    def expect_length(self, tag, want):
        at, payload, length = self.sections[tag]
        if length != want:
            raise self.malformed(tag, payload, 'it is %d bytes long where format %d has %d'
                                 % (length, FORMAT_VERSION, want))


def _check_header(f):
    """Magic, version and precision, in the runtime's order."""
    data = f.data
    kind = MAGIC.get(bytes(data[:8]))
    if kind is None and len(data) < 8:
        kind = next((k for m, k in MAGIC.items() if m.startswith(bytes(data))), None)
    if kind is None:
        raise FormatError('%s: not an rnnc checkpoint or parameter file: it starts with %r at '
                          'byte 0, not "RNNCKPT\\0" or "RNNCPARM"; check the path'
                          % (f.path, bytes(data[:8])), f.path, 0)
    f.kind = kind
    if len(data) < 12:
        raise f.truncated('inside the header', 0)
    f.version = struct.unpack_from('<I', data, 8)[0]
    if f.version > FORMAT_VERSION:
        raise FormatError('%s: written by a newer rnnc (format %d at byte 8); this reader knows '
                          'format %d: use the tools/rnnc_ckpt.py of that rnnc'
                          % (f.path, f.version, FORMAT_VERSION), f.path, 8)
    if f.version == 0:
        raise f.damaged('format 0 at byte 8, which no rnnc writes', 8)
    if len(data) < HEADER_BYTES:
        raise f.truncated('inside the header', 0)
    f.real_size = struct.unpack_from('<I', data, 12)[0]
    if f.real_size not in PRECISION:
        raise f.damaged('%d-byte reals at byte 12, which no rnnc writes' % f.real_size, 12)
    if len(data) < HEADER_BYTES + CRC_BYTES:
        raise f.truncated('after the header', HEADER_BYTES)


def _walk_sections(f, crc_ok):
    """Finds the sections between the header and the CRC. Without a valid
    CRC an overrun is most likely a cut-off file, and is named so."""
    data, end, pos, last = f.data, len(f.data) - CRC_BYTES, HEADER_BYTES, 'the header'
    tags = SECTIONS[f.kind]
    while pos < end:
        if end - pos < SECTION_HEAD_BYTES:
            if crc_ok:
                raise f.damaged('%d stray bytes at byte %d after section %s'
                                % (end - pos, pos, last), pos)
            raise f.truncated('after section %s' % last, pos)
        tag = bytes(data[pos:pos + 4]).decode('latin-1')
        length = struct.unpack_from('<Q', data, pos + 4)[0]
        if tag not in tags:
            raise FormatError('%s: unknown section %r at byte %d: the file is damaged or from '
                              'another program; this reader knows format %d'
                              % (f.path, tag, pos, FORMAT_VERSION), f.path, pos, tag)
        if length > end - pos - SECTION_HEAD_BYTES:
            if crc_ok:
                raise f.damaged('section %s at byte %d claims %d bytes, past the end of the file '
                                'at byte %d' % (tag, pos, length, len(data)), pos, tag)
            raise f.truncated('inside section %s (which starts at byte %d and is %d bytes long)'
                              % (tag, pos, length), pos, tag)
        if tag in f.sections:
            raise f.damaged('section %s appears twice (at bytes %d and %d)'
                            % (tag, f.sections[tag][0], pos), pos, tag)
        f.sections[tag] = (pos, pos + SECTION_HEAD_BYTES, length)
        pos += SECTION_HEAD_BYTES + length
        last = tag
    for tag in tags:
        if tag not in f.sections:
            if crc_ok:
                raise f.damaged('has no section %s' % tag, None, tag)
            raise f.truncated('after section %s, without section %s' % (last, tag), None, tag)


def _check_crc(f):
    body = len(f.data) - CRC_BYTES
    stored = struct.unpack_from('<I', f.data, body)[0]
    computed = zlib.crc32(f.data[:body])
    if stored == computed:
        return None
    return f.damaged('checksum mismatch: the CRC-32 of bytes 0..%d is 0x%08x, the one stored at '
                     'byte %d 0x%08x' % (body - 1, computed, body, stored), body)


def _text(f, raw, tag, at, what):
    if len(raw) > MAX_NAME_BYTES:
        raise f.malformed(tag, at, '%s over %d bytes' % (what, MAX_NAME_BYTES))
    # surrogateescape: any bytes survive a read and a write unchanged
    return raw.decode('utf-8', 'surrogateescape')


def _read_model(f, out):
    r = f.reader('MODL')
    name = r.string('the model name')
    spec_hash = r.string('the spec hash')
    out.length, out.batch = r.u32('T'), r.u32('B')
    n_params, out.n_slots = r.u64('the parameter count'), r.u32('the slot count')
    r.finish()
    payload = f.sections['MODL'][1]
    out.model = _text(f, name, 'MODL', payload, 'a model name')
    out.spec_hash = _text(f, spec_hash, 'MODL', payload, 'a spec hash')
    return n_params


def _read_table(f, n_params):
    """TENS: (name, rows, cols) in order. Beyond the container's rule (each
    tensor inside PARM) rnnc's tables tile PARM in order, every model's
    parameters being one flat struct: a table that does not is refused,
    so that the offsets follow from the shapes when the file is written."""
    r = f.reader('TENS')
    count = r.u32('the tensor count')
    if count > f.sections['TENS'][2] // TENSOR_MIN_BYTES:
        raise f.malformed('TENS', f.sections['TENS'][1], 'more tensors than the section has '
                          'room for')
    table, names, next_offset = [], set(), 0
    for i in range(count):
        at = r.pos
        raw = r.string('the name of tensor %d' % i)
        rows, cols, offset = r.u32('rows'), r.u32('cols'), r.u64('offset')
        name = _text(f, raw, 'TENS', at, 'a tensor name')
        if offset > n_params or rows * cols > n_params - offset:
            raise f.malformed('TENS', at, "tensor %d '%s' [%d][%d] at offset %d reaches past the "
                              '%d parameters' % (i, name, rows, cols, offset, n_params))
        if name in names:
            raise f.malformed('TENS', at, "tensor %d is named '%s' like an earlier one"
                              % (i, name))
        if offset != next_offset:
            raise f.malformed('TENS', at, "tensor %d '%s' is at offset %d, not at %d where the "
                              'one before it ends, as rnnc writes its tensors'
                              % (i, name, offset, next_offset))
        table.append((name, rows, cols))
        names.add(name)
        next_offset = offset + rows * cols
    r.finish()
    if next_offset != n_params:
        raise f.malformed('TENS', f.sections['TENS'][1], 'its tensors hold %d parameters, MODL '
                          'says %d' % (next_offset, n_params))
    return table


def _reals(f, tag, skip, count):
    """COUNT reals of section TAG after SKIP bytes of it, as a writable array."""
    start = f.sections[tag][1] + skip
    return np.frombuffer(f.data, '<f%d' % f.real_size, count, start).copy()


def _read_vocab(f, out):
    f.expect_length('VOCB', VOCB_BYTES)
    r = f.reader('VOCB')
    size, padding_id = r.i32('size'), r.i32('padding id')
    ids = [r.i32('an id') for _ in range(256)]
    why = _vocab_ids_invalid(size, padding_id, ids)
    if why:
        raise f.malformed('VOCB', f.sections['VOCB'][1], why)
    out.padding_id = padding_id
    if size == 0:
        out.vocab = None
        return
    vocab = [b''] * size
    for byte, i in enumerate(ids):
        if i >= 0:
            vocab[i] = bytes([byte])
    out.vocab = vocab


def _vocab_ids_invalid(size, padding_id, ids):
    """Why SIZE, PADDING_ID and the byte -> id table are not a vocabulary
    the runtime accepts, or None."""
    if not 0 <= size <= MAX_VOCAB_IDS:
        return 'vocabulary size %d is outside 0..%d' % (size, MAX_VOCAB_IDS)
    if not -1 <= padding_id < MAX_VOCAB_IDS:
        return 'padding id %d is outside -1..%d' % (padding_id, MAX_VOCAB_IDS - 1)
    seen = {}
    for byte, i in enumerate(ids):
        if i == -1:
            continue
        if not 0 <= i < size:
            return 'byte 0x%02x has id %d, outside 0..%d' % (byte, i, size - 1)
        if i == padding_id:
            return 'byte 0x%02x has the padding id %d' % (byte, padding_id)
        if i in seen:
            return 'bytes 0x%02x and 0x%02x share id %d' % (seen[i], byte, i)
        seen[i] = byte
    return None


def _read_training(f, out, n_params):
    """The checkpoint's own sections: OPTS STAT RNGS CURS LOGS."""
    rs = f.real_size
    f.expect_length('OPTS', OPTS_HEAD_BYTES + out.n_slots * n_params * rs)
    at, payload, length = f.sections['STAT']
    if length % rs:
        raise f.malformed('STAT', payload, 'not a whole number of reals')
    for tag, want in FIXED_LENGTHS.items():
        f.expect_length(tag, want)
    r = f.reader('OPTS')
    out.opt_step, out.last_norm = r.i64('the optimizer step'), r.f64('the last norm')
    out.slots = _reals(f, 'OPTS', OPTS_HEAD_BYTES, out.n_slots * n_params).reshape(
        out.n_slots, n_params)
    out.state = _reals(f, 'STAT', 0, length // rs)
    r = f.reader('RNGS')
    out.dropout_rng = tuple(r.u64('a word') for _ in range(4))
    out.data_rng = tuple(r.u64('a word') for _ in range(4))
    r = f.reader('CURS')
    out.epoch, out.position, out.examples_seen = (r.i64('a counter') for _ in range(3))
    r = f.reader('LOGS')
    out.step, out.best_valid = r.i64('the step'), r.f64('the best validation loss')


def _parse(data, path):
    f = _File(memoryview(data), path)
    _check_header(f)
    crc_error = _check_crc(f)
    try:
        _walk_sections(f, crc_error is None)
    except _Truncated:
        raise  # a cut-off file fails the CRC too: truncation is the better message
    except FormatError:
        if crc_error is None:
            raise
        raise crc_error from None  # damage the CRC caught before the walk tripped on it
    if crc_error:
        raise crc_error
    out = RnncFile(kind=f.kind, precision=PRECISION[f.real_size], version=f.version)
    n_params = _read_model(f, out)
    table = _read_table(f, n_params)
    f.expect_length('PARM', n_params * f.real_size)
    params = _reals(f, 'PARM', 0, n_params)
    offset = 0
    for name, rows, cols in table:
        out.tensors[name] = params[offset:offset + rows * cols].reshape(rows, cols)
        offset += rows * cols
    if f.kind == 'checkpoint':
        _read_training(f, out, n_params)
    _read_vocab(f, out)
    return out, f


def read(path):
    """The checkpoint or parameter file PATH, checked as the runtime checks
    it (magic, version, precision, CRC, every section). Raises FormatError."""
    with open(path, 'rb') as fp:
        data = fp.read()
    return _parse(data, os.fspath(path))[0]


# --------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------

def _refuse(path, why, section=None):
    return FormatError('%s: cannot write: %s' % (path, why), path, None, section)


def _string(path, text, what):
    raw = text.encode('utf-8', 'surrogateescape')
    if len(raw) > MAX_NAME_BYTES:
        raise _refuse(path, '%s is over %d bytes' % (what, MAX_NAME_BYTES))
    return struct.pack('<I', len(raw)) + raw


def _shapes(path, f):
    """(name, rows, cols, array) of every tensor, in order."""
    out = []
    for name, t in f.tensors.items():
        a = np.asarray(t)
        if a.ndim == 1:
            rows, cols = a.shape[0], 1
        elif a.ndim == 2:
            rows, cols = a.shape
        else:
            raise _refuse(path, "tensor '%s' has shape %s; rnnc's tensors are [rows, cols] or "
                          '[rows]' % (name, a.shape), 'TENS')
        if rows >= 1 << 32 or cols >= 1 << 32:
            raise _refuse(path, "tensor '%s' is too large for TENS" % name, 'TENS')
        out.append((name, rows, cols, a))
    return out


def _vocab_ids(path, f):
    """VOCB's size and byte -> id table from f.vocab, as the runtime checks
    a vocabulary before it saves one."""
    ids = [-1] * 256
    for i, token in enumerate(f.vocab or []):
        token = bytes(token)
        if len(token) > 1:
            raise _refuse(path, 'token %d is %d bytes; the format keeps a byte vocabulary (one '
                          'byte per id)' % (i, len(token)), 'VOCB')
        if token and ids[token[0]] != -1:
            raise _refuse(path, 'byte 0x%02x has ids %d and %d' % (token[0], ids[token[0]], i),
                          'VOCB')
        if token:
            ids[token[0]] = i
    size = len(f.vocab or [])
    why = _vocab_ids_invalid(size, f.padding_id, ids)
    if why:
        raise _refuse(path, 'the vocabulary is inconsistent: %s' % why, 'VOCB')
    return size, ids


def _section(tag, payload):
    return tag.encode('ascii') + struct.pack('<Q', len(payload)) + payload


def _head(path, f, kind):
    """Header, MODL, TENS and PARM: how every file starts."""
    if f.precision not in REAL_SIZE:
        raise _refuse(path, "precision %r; give 'float32' or 'float64'" % (f.precision,))
    shapes = _shapes(path, f)
    n_params = sum(rows * cols for _, rows, cols, _ in shapes)
    for what, v, bits in (('T', f.length, 32), ('B', f.batch, 32), ('n_slots', f.n_slots, 32)):
        if not 0 <= v < 1 << bits:
            raise _refuse(path, '%s %d is outside 0..%d' % (what, v, (1 << bits) - 1), 'MODL')
    modl = (_string(path, f.model, 'the model name') +
            _string(path, f.spec_hash, 'the spec hash') +
            struct.pack('<IIQI', f.length, f.batch, n_params, f.n_slots))
    tens = [struct.pack('<I', len(shapes))]
    offset = 0
    for name, rows, cols, _ in shapes:
        tens.append(_string(path, name, 'a tensor name') + struct.pack('<IIQ', rows, cols, offset))
        offset += rows * cols
    dtype = f.dtype
    parm = b''.join(np.asarray(a, dtype).tobytes() for *_, a in shapes)
    head = MAGIC_OF[kind] + struct.pack('<II', FORMAT_VERSION, dtype.itemsize)
    return (head + _section('MODL', modl) + _section('TENS', b''.join(tens)) +
            _section('PARM', parm)), n_params


def _vocab_section(path, f):
    size, ids = _vocab_ids(path, f)
    return _section('VOCB', struct.pack('<ii256i', size, f.padding_id, *ids))


def _training_sections(path, f, n_params):
    """OPTS STAT RNGS, and CURS LOGS, from a checkpoint's fields."""
    missing = [k for k in ('opt_step', 'last_norm', 'slots', 'state', 'dropout_rng', 'data_rng',
                           'epoch', 'position', 'examples_seen', 'step', 'best_valid')
               if getattr(f, k) is None]
    if missing:
        raise _refuse(path, 'a checkpoint needs %s' % ', '.join(missing))
    slots = np.asarray(f.slots, f.dtype)
    if slots.size != f.n_slots * n_params:
        raise _refuse(path, 'slots hold %d reals where n_slots %d x %d parameters are %d'
                      % (slots.size, f.n_slots, n_params, f.n_slots * n_params), 'OPTS')
    rngs = tuple(f.dropout_rng) + tuple(f.data_rng)
    if len(rngs) != 8 or not all(0 <= w < 1 << 64 for w in rngs):
        raise _refuse(path, 'each generator is 4 words of 0..2^64-1', 'RNGS')
    try:
        opts = struct.pack('<qd', f.opt_step, f.last_norm) + slots.tobytes()
        curs = struct.pack('<qqq', f.epoch, f.position, f.examples_seen)
        logs = struct.pack('<qd', f.step, f.best_valid)
    except struct.error as e:
        raise _refuse(path, 'a counter does not fit 64 bits (%s)' % e) from None
    stat = np.asarray(f.state, f.dtype).ravel().tobytes()
    return (_section('OPTS', opts) + _section('STAT', stat) +
            _section('RNGS', struct.pack('<8Q', *rngs))), (_section('CURS', curs) +
                                                           _section('LOGS', logs))


def _with_crc(body):
    return body + struct.pack('<I', zlib.crc32(body))


def params_bytes(f, path='<memory>'):
    """The bytes of F as a parameter file."""
    head, _ = _head(path, f, 'parameters')
    return _with_crc(head + _vocab_section(path, f))


def checkpoint_bytes(f, path='<memory>'):
    """The bytes of F, a checkpoint, as a checkpoint."""
    if f.kind != 'checkpoint':
        raise _refuse(path, "this is a %s, not a checkpoint: write it with write_params"
                      % WHAT.get(f.kind, repr(f.kind)))
    head, n_params = _head(path, f, 'checkpoint')
    before, after = _training_sections(path, f, n_params)
    return _with_crc(head + before + _vocab_section(path, f) + after)


def _write_atomically(path, data):
    """DATA to PATH through a temporary file in the same directory: fsync,
    rename, fsync the directory. On any error the temporary file goes and
    PATH is as it was."""
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    base = os.path.basename(path)
    for attempt in range(100):
        tmp = os.path.join(directory, '.%s.%d.%d.tmp' % (base, os.getpid(), attempt))
        try:
            # 0666 less the umask, as the runtime's files (mkstemp would give 0600)
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            break
        except FileExistsError:
            continue
    else:
        raise FormatError('%s: cannot write: no free temporary name in %s' % (path, directory),
                          path)
    try:
        with os.fdopen(fd, 'wb') as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    dirfd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(dirfd)
    except OSError:  # a filesystem that cannot sync a directory: as the runtime, let it be
        pass
    finally:
        os.close(dirfd)


def write_params(path, f):
    """F (a checkpoint or a parameter file) as the parameter file PATH:
    MODL TENS PARM VOCB, what `NAME export` writes. Atomic."""
    _write_atomically(path, params_bytes(f, os.fspath(path)))


def write_checkpoint(path, f):
    """F, a checkpoint, as the checkpoint PATH (every section), then its
    manifest PATH.yaml as the program writes it. Both atomic."""
    data = checkpoint_bytes(f, os.fspath(path))
    manifest = manifest_text(f).encode('utf-8')
    _write_atomically(path, data)
    _write_atomically(os.fspath(path) + '.yaml', manifest)


# --------------------------------------------------------------------------
# The manifest: what runtime/program/manifest.c emits through libyaml
# --------------------------------------------------------------------------

# libyaml's escapes in a double-quoted scalar (yaml_emitter_write_double_quoted_scalar)
_YAML_ESCAPES = {0x00: '0', 0x07: 'a', 0x08: 'b', 0x09: 't', 0x0A: 'n', 0x0B: 'v', 0x0C: 'f',
                 0x0D: 'r', 0x1B: 'e', 0x22: '"', 0x5C: '\\', 0x85: 'N', 0xA0: '_'}


def _yaml_quoted(text):
    """TEXT as libyaml double-quotes it with unicode output off: printable
    ASCII as is, the rest escaped."""
    out = []
    for ch in text:
        c = ord(ch)
        if c in _YAML_ESCAPES:
            out.append('\\' + _YAML_ESCAPES[c])
        elif 0x20 <= c <= 0x7E:
            out.append(ch)
        elif c <= 0xFF:
            out.append('\\x%02X' % c)
        elif c <= 0xFFFF:
            out.append('\\u%04X' % c)
        else:
            out.append('\\U%08X' % c)
    return '"%s"' % ''.join(out)


def _yaml_loss(v):
    if math.isnan(v):
        return '.nan'
    if math.isinf(v):
        return 'null' if v > 0 else '-.inf'
    return '%.17g' % v


def manifest_text(f):
    """PATH.yaml of the checkpoint F: model, counters, vocabulary, tensors.
    The vocabulary's bytes (ids below 256) are the characters U+0000..U+00FF."""
    vocab = f.vocab or []
    vocab_chars = ''.join(chr(t[0]) for t in vocab[:256] if len(t) == 1)
    lines = ['model: %s' % _yaml_quoted(f.model),
             'spec_hash: %s' % _yaml_quoted(f.spec_hash),
             'format_version: %d' % FORMAT_VERSION,
             'real_bytes: %d' % f.dtype.itemsize,
             'step: %d' % f.step, 'epoch: %d' % f.epoch, 'position: %d' % f.position,
             'examples_seen: %d' % f.examples_seen, 'optimizer_step: %d' % f.opt_step,
             'best_valid_loss: %s' % _yaml_loss(f.best_valid),
             'vocab_size: %d' % len(vocab), 'padding_id: %d' % f.padding_id,
             'vocab_bytes: %s' % _yaml_quoted(vocab_chars),
             'n_params: %d' % f.n_params, 'tensors:']
    offset = 0
    for name, rows, cols, _ in _shapes('<manifest>', f):
        lines.append('- {name: %s, shape: [%d, %d], offset: %d}'
                     % (_yaml_quoted(name), rows, cols, offset))
        offset += rows * cols
    return '\n'.join(lines) + '\n'


# --------------------------------------------------------------------------
# The command line
# --------------------------------------------------------------------------

def describe(f, path, values, out):
    """What `NAME info --checkpoint PATH` says, and each tensor's first values."""
    print('%-15s%s' % (WHAT[f.kind], path), file=out)
    print('model          %s' % f.model, file=out)
    print('spec hash      %s' % f.spec_hash, file=out)
    print('format         %d' % f.version, file=out)
    print('precision      %s' % f.precision, file=out)
    if f.kind == 'checkpoint':
        print('step           %d' % f.step, file=out)
        print('epoch          %d (position %d, %d examples seen)'
              % (f.epoch, f.position, f.examples_seen), file=out)
        print('optimizer      step %d, %d slots per parameter' % (f.opt_step, f.n_slots), file=out)
        best = 'none' if f.best_valid == math.inf else '%.6g' % f.best_valid
        print('best valid     %s' % best, file=out)
    pad = '' if f.padding_id < 0 else ' (padding id %d)' % f.padding_id
    print('vocabulary     %d ids%s' % (len(f.vocab or []), pad), file=out)
    print('shape          T %d, B %d' % (f.length, f.batch), file=out)
    print('parameters     %d in %d tensors' % (f.n_params, len(f.tensors)), file=out)
    for name, t in f.tensors.items():
        first = ' '.join('%.6g' % v for v in t.ravel()[:values])
        more = ' ...' if t.size > values else ''
        print('  %-28s [%d][%d]  %s%s' % (name, t.shape[0], t.shape[1], first, more), file=out)


def print_sections(path, out):
    with open(path, 'rb') as fp:
        f = _parse(fp.read(), path)[1]
    print('%-8s %10s %10s' % ('section', 'at byte', 'length'), file=out)
    for tag, (at, _, length) in sorted(f.sections.items(), key=lambda s: s[1][0]):
        print('%-8s %10d %10d' % (tag, at, length), file=out)
    print('%-8s %10d %10d' % ('CRC', len(f.data) - CRC_BYTES, CRC_BYTES), file=out)


def main(argv=None):
    ap = argparse.ArgumentParser(
        prog='rnnc_ckpt.py', description='Describe an rnnc checkpoint or parameter file '
        '(docs/checkpoint-format.md).')
    ap.add_argument('file')
    ap.add_argument('--sections', action='store_true', help='print the section table')
    ap.add_argument('--values', type=int, default=4, metavar='N',
                    help='values shown per tensor (default 4)')
    args = ap.parse_args(argv)
    try:
        if args.sections:
            print_sections(args.file, sys.stdout)
        else:
            describe(read(args.file), args.file, args.values, sys.stdout)
    except (FormatError, OSError) as e:
        print('rnnc_ckpt.py: error: %s' % e, file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
