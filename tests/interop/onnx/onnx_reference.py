#!/usr/bin/python3
"""onnx_reference.py - a numpy evaluator of the ONNX operators that
`rnnc_torch.py onnx` emits, written from the operator specification
(https://onnx.ai/onnx/operators/, opset 14; the same text as
onnx.defs.get_schema(OP, 14).doc), and nothing else.

    import onnx, onnx_reference
    outputs = onnx_reference.run(onnx.load('m.onnx'), {'x': x})  # {name: array}

Reals are computed in float64 (the model's float32 weights and inputs
convert exactly), so the result is the model's arithmetic without float32
rounding: a reference for rnnc's predict and for a runtime. Any operator,
attribute or input it does not know is an error, not a guess. Where the
specification leaves a value undefined, the evaluator writes NaN, so that a
graph which reads it shows: the steps of a recurrent op's Y after a
sequence's sequence_lens. A sequence_lens outside 1 .. T is refused (ONNX
Runtime refuses 0).
"""
import functools

import numpy as np
from onnx import numpy_helper, TensorProto

REAL = np.float64
DTYPES = {TensorProto.FLOAT: REAL, TensorProto.DOUBLE: REAL, TensorProto.INT64: np.int64,
          TensorProto.INT32: np.int32, TensorProto.BOOL: np.bool_}


class Unsupported(Exception):
    """The model uses something this evaluator does not implement."""


def _attrs(node, allowed):
    """NODE's attributes as {name: value}; any name outside ALLOWED is an error."""
    out = {}
    for a in node.attribute:
        if a.name not in allowed:
            raise Unsupported('%s %s: attribute %s' % (node.op_type, node.name, a.name))
        if a.type == a.INT:
            out[a.name] = a.i
        elif a.type == a.FLOAT:
            out[a.name] = a.f
        elif a.type == a.STRING:
            out[a.name] = a.s.decode()
        elif a.type == a.STRINGS:
            out[a.name] = [s.decode() for s in a.strings]
        else:
            raise Unsupported('%s %s: attribute %s of type %d' % (node.op_type, node.name,
                                                                  a.name, a.type))
    return out


ACTIVATIONS = {
    'Sigmoid': lambda x: 1 / (1 + np.exp(-x)),
    'Tanh': np.tanh,
    'Relu': lambda x: np.maximum(x, 0),
}


def _recurrent(op, node, ins):
    """RNN, LSTM, GRU: forward direction, layout 0, no clip, one direction."""
    allowed = {'hidden_size', 'activations', 'direction', 'layout'}
    allowed |= {'linear_before_reset'} if op == 'GRU' else set()
    a = _attrs(node, allowed)
    if a.get('direction', 'forward') != 'forward' or a.get('layout', 0) != 0:
        raise Unsupported('%s %s: direction or layout' % (op, node.name))
    gates = {'RNN': 1, 'LSTM': 4, 'GRU': 3}[op]
    default_acts = {'RNN': ['Tanh'], 'LSTM': ['Sigmoid', 'Tanh', 'Tanh'],
                    'GRU': ['Sigmoid', 'Tanh']}[op]
    acts = [ACTIVATIONS[n] for n in a.get('activations', default_acts)]
    ins = ins + [None] * (8 - len(ins))
    X, W, R, B, seq, h0, c0, P = ins
    T, batch, _ = X.shape
    H = a['hidden_size']
    if W.shape[:2] != (1, gates * H) or R.shape != (1, gates * H, H):
        raise Unsupported('%s %s: W or R shape' % (op, node.name))
    W, R = W[0], R[0]
    Wb, Rb = (np.zeros(gates * H), np.zeros(gates * H)) if B is None else \
        (B[0, :gates * H], B[0, gates * H:])
    lens = np.full(batch, T) if seq is None else seq.astype(np.int64)
    if np.any(lens < 1) or np.any(lens > T):
        raise ValueError('%s %s: sequence_lens %s outside 1..%d' % (op, node.name, lens, T))
    h = np.zeros((batch, H)) if h0 is None else h0[0].astype(REAL)
    c = np.zeros((batch, H)) if c0 is None else c0[0].astype(REAL)
    p = np.zeros(3 * H) if P is None else P[0]
    Y = np.full((T, 1, batch, H), np.nan)
    Y_h = np.zeros((1, batch, H))
    Y_c = np.zeros((1, batch, H))
    for t in range(T):
        xw = X[t] @ W.T + Wb  # [batch, G*H]
        hr = h @ R.T + Rb
        if op == 'RNN':  # Ht = f(Xt*(Wi^T) + Ht-1*(Ri^T) + Wbi + Rbi)
            h_new, c_new = acts[0](xw + hr), c
        elif op == 'LSTM':  # gates i, o, f, c; P[iof]
            f_, g_, h_ = acts
            s = xw + hr
            i = f_(s[:, :H] + p[:H] * c)
            f = f_(s[:, 2 * H:3 * H] + p[2 * H:] * c)
            ct = g_(s[:, 3 * H:])
            c_new = f * c + i * ct
            o = f_(s[:, H:2 * H] + p[H:2 * H] * c_new)
            h_new = o * h_(c_new)
        else:  # GRU: gates z, r, h
            f_, g_ = acts
            z = f_(xw[:, :H] + hr[:, :H])
            r = f_(xw[:, H:2 * H] + hr[:, H:2 * H])
            if a.get('linear_before_reset', 0):
                ht = g_(xw[:, 2 * H:] + r * (h @ R[2 * H:].T + Rb[2 * H:]))
            else:
                ht = g_(xw[:, 2 * H:] + (r * h) @ R[2 * H:].T + Rb[2 * H:])
            h_new, c_new = (1 - z) * ht + z * h, c
        live = (t < lens)[:, None]
        h = np.where(live, h_new, h)
        c = np.where(live, c_new, c)
        Y[t, 0][live[:, 0]] = h[live[:, 0]]
        last = (t == lens - 1)
        Y_h[0][last] = h[last]
        Y_c[0][last] = c[last]
    return {'RNN': [Y, Y_h], 'GRU': [Y, Y_h], 'LSTM': [Y, Y_h, Y_c]}[op]


def _axes(t):
    return [int(v) for v in np.asarray(t).ravel()]


def _node(node, ins):
    """The outputs of NODE on input arrays INS (None for an absent input)."""
    op = node.op_type
    if op in ('RNN', 'LSTM', 'GRU'):
        return _recurrent(op, node, ins)
    if op in ('Add', 'Sub', 'Max', 'Equal', 'Less', 'Greater', 'MatMul', 'Not', 'Where',
              'Shape', 'Expand', 'Identity') or op in ACTIVATIONS:
        _attrs(node, set())
        if op == 'Add':
            return [ins[0] + ins[1]]
        if op == 'Sub':
            return [ins[0] - ins[1]]
        if op == 'Max':
            return [functools.reduce(np.maximum, ins)]
        if op == 'Equal':
            return [ins[0] == ins[1]]
        if op == 'Less':
            return [ins[0] < ins[1]]
        if op == 'Greater':
            return [ins[0] > ins[1]]
        if op == 'MatMul':
            return [np.matmul(ins[0], ins[1])]
        if op == 'Not':
            return [np.logical_not(ins[0])]
        if op == 'Where':
            return [np.where(ins[0], ins[1], ins[2])]
        if op == 'Shape':
            return [np.array(ins[0].shape, dtype=np.int64)]
        if op == 'Expand':  # bidirectional broadcast of the input and the shape
            shape = np.broadcast_shapes(ins[0].shape, tuple(int(v) for v in ins[1]))
            return [np.broadcast_to(ins[0], shape).copy()]
        if op == 'Identity':
            return [ins[0]]
        return [ACTIVATIONS[op](ins[0])]
    if op == 'Cast':
        a = _attrs(node, {'to'})
        if a['to'] not in DTYPES:
            raise Unsupported('Cast %s: to %d' % (node.name, a['to']))
        return [ins[0].astype(DTYPES[a['to']])]
    if op == 'Unsqueeze':  # opset 13: axes is an input
        _attrs(node, set())
        out = ins[0]
        rank = out.ndim + len(_axes(ins[1]))
        for ax in sorted(v % rank for v in _axes(ins[1])):
            out = np.expand_dims(out, ax)
        return [out]
    if op == 'Reshape':  # allowzero 0: a 0 copies the input's dimension; one -1 is inferred
        a = _attrs(node, {'allowzero'})
        if a.get('allowzero', 0):
            raise Unsupported('Reshape %s: allowzero' % node.name)
        shape = [ins[0].shape[i] if v == 0 else v for i, v in enumerate(_axes(ins[1]))]
        return [ins[0].reshape(shape)]
    if op == 'Gather':
        a = _attrs(node, {'axis'})
        data, idx = ins
        axis = a.get('axis', 0) % data.ndim
        idx = np.where(idx < 0, idx + data.shape[axis], idx)
        return [np.take(data, idx, axis=axis)]
    if op == 'GatherElements':
        a = _attrs(node, {'axis'})
        data, idx = ins
        axis = a.get('axis', 0) % data.ndim
        idx = np.where(idx < 0, idx + data.shape[axis], idx)
        return [np.take_along_axis(data, idx, axis=axis)]
    if op == 'CumSum':
        a = _attrs(node, {'exclusive', 'reverse'})
        if a.get('exclusive', 0) or a.get('reverse', 0):
            raise Unsupported('CumSum %s: exclusive or reverse' % node.name)
        return [np.cumsum(ins[0], axis=int(np.asarray(ins[1]).ravel()[0]), dtype=ins[0].dtype)]
    if op == 'TopK':  # ties: the lower index first
        a = _attrs(node, {'axis', 'largest', 'sorted'})
        x, k = ins[0], int(ins[1][0])
        axis = a.get('axis', -1) % x.ndim
        if not a.get('sorted', 1):
            raise Unsupported('TopK %s: sorted 0' % node.name)
        key = x if a.get('largest', 1) == 0 else -x
        order = np.argsort(key, axis=axis, kind='stable')
        order = np.take(order, np.arange(k), axis=axis)
        return [np.take_along_axis(x, order, axis=axis), order.astype(np.int64)]
    if op == 'OneHot':  # values [off, on]; indices outside [-depth, depth-1] are all off
        a = _attrs(node, {'axis'})
        idx, depth, values = ins[0], int(np.asarray(ins[1]).ravel()[0]), ins[2]
        idx = np.where(idx < 0, idx + depth, idx)
        hot = idx[..., None] == np.arange(depth)
        out = np.where(hot, values[1], values[0])
        axis = a.get('axis', -1)
        if axis != -1:
            out = np.moveaxis(out, -1, axis)
        return [out]
    if op == 'Softmax':  # opset 13: along one axis
        a = _attrs(node, {'axis'})
        x = ins[0]
        e = np.exp(x - x.max(axis=a.get('axis', -1), keepdims=True))
        return [e / e.sum(axis=a.get('axis', -1), keepdims=True)]
    raise Unsupported('operator %s (%s)' % (op, node.name))


def run(model, feeds, keep=False):
    """Runs MODEL (an onnx.ModelProto) on FEEDS {input name: array}; returns
    {output name: array}, or every value with KEEP."""
    for opset in model.opset_import:
        if opset.domain in ('', 'ai.onnx') and opset.version != 14:
            raise Unsupported('opset %d (this evaluator follows opset 14)' % opset.version)
    values = {}
    for init in model.graph.initializer:
        arr = numpy_helper.to_array(init)
        values[init.name] = arr.astype(REAL) if arr.dtype.kind == 'f' else arr
    for inp in model.graph.input:
        if inp.name in values:
            continue
        arr = np.asarray(feeds[inp.name])
        want = DTYPES[inp.type.tensor_type.elem_type]
        if arr.dtype.kind == 'f' and want is REAL:
            arr = arr.astype(np.float32).astype(REAL)  # what a float input holds
        elif arr.dtype != want:
            raise ValueError('input %s: %s, the model wants %s' % (inp.name, arr.dtype,
                                                                   np.dtype(want)))
        values[inp.name] = arr
    for node in model.graph.node:
        ins = [values[n] if n else None for n in node.input]
        outs = _node(node, ins)
        for name, arr in zip(node.output, outs):
            if name:
                values[name] = arr
    if keep:
        return values
    return {o.name: values[o.name] for o in model.graph.output}
