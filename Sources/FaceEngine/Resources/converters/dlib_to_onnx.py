#!/usr/bin/python3
"""Convert dlib_face_recognition_resnet_model_v1.dat to an opset-11 ONNX model.

Why: RollCall's fallback pack embeds faces with dlib's ResNet (CC0 weights from
the PyPI sdist face_recognition_models==0.3.0) but runs it with OpenCV 4.6's
cv::dnn, which reads ONNX, not dlib's serialization. dlib does not store layer
type tags, so this parser knows the architecture (dlib's dnn_face_recognition_ex
`anet_type`), reads every record in file order, checks each record's name
against the expected layer, and asserts the file is consumed to its last byte.

Graph: input "input" 1x3x150x150 (RGB planes, already (pixel - mean)/256 by
the caller), output "descriptor" 1x128 (raw, not normalised; dlib compares by
Euclidean distance). dlib's affine layers are folded into the preceding conv
(in float64, rounded once). dlib's add_prev takes the larger shape of its two
inputs and treats missing elements as zero: reproduced with Pad nodes on the
channel axis (32->64, 64->128, 128->256) and bottom/right spatially (3->4, 1->2).

Runs with Debian's /usr/bin/python3 (python3-onnx 1.12 + numpy); nothing else.

usage: dlib_to_onnx.py IN.dat OUT.onnx
"""
import argparse
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 11
IR_VERSION = 6
CHIP = 150


class ParseError(Exception):
    pass


class Reader:
    """dlib serialization primitives (dlib/serialize.h, dlib/cuda/tensor.h)."""

    def __init__(self, data):
        self.b, self.pos = data, 0

    def _take(self, n):
        if self.pos + n > len(self.b):
            raise ParseError("unexpected end of file at byte %d" % self.pos)
        s = self.b[self.pos:self.pos + n]
        self.pos += n
        return s

    def int(self):
        c = self._take(1)[0]
        size, neg = c & 0x0F, c & 0x80
        if size > 8 or c & 0x70:
            raise ParseError("bad integer control byte 0x%02x at byte %d" % (c, self.pos - 1))
        v = int.from_bytes(self._take(size), "little")
        return -v if neg else v

    def bool(self):
        c = self._take(1)
        if c not in (b"0", b"1"):
            raise ParseError("bad bool %r at byte %d" % (c, self.pos - 1))
        return c == b"1"

    def str(self):
        return self._take(self.int()).decode("latin-1")

    def float(self):
        m, e = self.int(), self.int()
        if e >= 32000:  # dlib's special-value exponents (inf/nan): not expected here
            raise ParseError("special float at byte %d" % self.pos)
        return m * 2.0 ** e

    def expect_version(self, want, what):
        v = self.int()
        if v != want:
            raise ParseError("%s: version %d, expected %d (byte %d)" % (what, v, want, self.pos))

    def tensor(self):
        self.expect_version(2, "tensor")
        dims = [self.int() for _ in range(4)]
        n = int(np.prod(dims))
        data = np.frombuffer(self._take(4 * n), dtype="<f4").astype(np.float32)
        return data.reshape(dims)

    def alias(self):
        self.expect_version(1, "alias_tensor")
        return [self.int() for _ in range(4)]


# ---------------------------------------------------------------- architecture
# Layer records from the input side. Each residual "ares" is
#   tag1, con, affine, relu, con, affine, add_prev_, relu
# and each "ares_down" is
#   tag1, con/2, affine, relu, con, affine, tag2, skip1, avg_pool, add_prev_, relu
# (tags and skips have a nesting version but no record of their own).
def expected_layers(with_tags=False):
    seq = expected_with_tags()
    return seq if with_tags else [e for e in seq if e not in ("tag", "skip")]


def expected_with_tags():
    seq = [("con", 32, 7, 2), "affine", "relu", ("max_pool", 3, 2)]
    def ares(n):
        return ["tag", ("con", n, 3, 1), "affine", "relu", ("con", n, 3, 1), "affine", "add_prev", "relu"]
    def ares_down(n):
        return ["tag", ("con", n, 3, 2), "affine", "relu", ("con", n, 3, 1), "affine",
                "tag", "skip", ("avg_pool", 2, 2), "add_prev", "relu"]
    for _ in range(3):
        seq += ares(32)
    for n, reps in ((64, 3), (128, 2), (256, 2)):
        seq += ares_down(n)
        for _ in range(reps):
            seq += ares(n)
    seq += ares_down(256)
    seq += [("avg_pool", 0, 1), ("fc", 128)]
    return seq


def parse(data):
    r = Reader(data)
    r.expect_version(1, "add_loss_layer")
    loss = r.str()
    if loss != "loss_metric_2":
        raise ParseError("loss layer %r, expected loss_metric_2" % loss)
    margin, thresh = r.float(), r.float()
    # Nested add_layer / tag / skip versions, outermost first: 2 = layer,
    # 1 = tag or skip, 3 = the layer that sits on the input layer.
    versions = []
    while True:
        v = r.int()
        versions.append(v)
        if v == 3:
            break
        if v not in (1, 2):
            raise ParseError("unexpected nesting version %d at byte %d" % (v, r.pos))
    want = [1 if e in ("tag", "skip") else 2 for e in reversed(expected_layers(True))]
    want[-1] = 3
    if versions != want:
        raise ParseError("layer nesting does not match dlib's ResNet v1 architecture")
    name = r.str()
    if name != "input_rgb_image_sized":
        raise ParseError("input layer %r" % name)
    mean = [r.float() for _ in range(3)]
    size = (r.int(), r.int())
    if size != (CHIP, CHIP):
        raise ParseError("input size %s" % (size,))

    records = []
    n_layers = sum(1 for v in versions if v in (2, 3))
    for i in range(n_layers):
        name = r.str()
        rec = {"name": name}
        if name == "con_4":
            params = r.tensor()
            rec.update(filters=r.int(), nr=r.int(), nc=r.int(), sy=r.int(), sx=r.int(),
                       py=r.int(), px=r.int())
            fa, ba = r.alias(), r.alias()
            [r.float() for _ in range(4)]  # learning-rate / weight-decay multipliers
            flat = params.reshape(-1)
            nf = int(np.prod(fa))
            rec["w"] = flat[:nf].reshape(fa[0], fa[1], fa[2], fa[3])
            rec["b"] = flat[nf:nf + int(np.prod(ba))].reshape(-1)
            if nf + int(np.prod(ba)) != flat.size:
                raise ParseError("con_4 params size mismatch")
        elif name == "affine_":
            params = r.tensor()
            ga, bea = r.alias(), r.alias()
            mode = r.int()
            if mode != 0:
                raise ParseError("affine mode %d (expected 0 = conv)" % mode)
            flat, c = params.reshape(-1), int(np.prod(ga))
            rec["gamma"], rec["beta"] = flat[:c], flat[c:c + int(np.prod(bea))]
        elif name in ("relu_", "add_prev_"):
            pass
        elif name in ("max_pool_2", "avg_pool_2"):
            rec.update(nr=r.int(), nc=r.int(), sy=r.int(), sx=r.int(), py=r.int(), px=r.int())
        elif name == "fc_2":
            nout, nin = r.int(), r.int()
            params = r.tensor()
            wa, ba = r.alias(), r.alias()
            rec["bias_mode"] = r.int()
            [r.float() for _ in range(4)]
            if rec["bias_mode"] != 1:
                raise ParseError("fc_2 with bias not supported")
            rec["w"] = params.reshape(-1)[:int(np.prod(wa))].reshape(nin, nout)
        else:
            raise ParseError("unknown layer record %r at byte %d" % (name, r.pos))
        # add_layer bookkeeping: three bools, then empty x_grad, cached_output and
        # params_grad (grad_final for the layer on the input)
        [r.bool() for _ in range(3)]
        for _ in range(3):
            t = r.tensor()
            if t.size:
                raise ParseError("non-empty gradient/cache tensor after %s" % name)
        if i == 0:  # the layer on the input layer (version 3) adds _sample_expansion_factor
            if r.int() != 1:
                raise ParseError("sample expansion factor != 1")
        records.append(rec)
    if r.pos != len(data):
        raise ParseError("%d trailing bytes after the last record" % (len(data) - r.pos))
    return dict(margin=margin, thresh=thresh, mean=mean, versions=versions, records=records)


# ---------------------------------------------------------------- ONNX building
class Builder:
    def __init__(self):
        self.nodes, self.inits, self.k = [], [], 0

    def name(self, base):
        self.k += 1
        return "%s_%d" % (base, self.k)

    def const(self, base, arr):
        n = self.name(base)
        self.inits.append(numpy_helper.from_array(np.ascontiguousarray(arr), n))
        return n

    def node(self, op, inputs, base, **attrs):
        out = self.name(base)
        self.nodes.append(helper.make_node(op, inputs, [out], name=out, **attrs))
        return out


def build(model):
    recs = model["records"]
    expect = expected_layers()
    kinds = {"con": "con_4", "affine": "affine_", "relu": "relu_", "max_pool": "max_pool_2",
             "avg_pool": "avg_pool_2", "add_prev": "add_prev_", "fc": "fc_2"}
    if len(recs) != len(expect):
        raise ParseError("%d layer records, architecture has %d" % (len(recs), len(expect)))
    for i, (rec, exp) in enumerate(zip(recs, expect)):
        kind = exp if isinstance(exp, str) else exp[0]
        if rec["name"] != kinds[kind]:
            raise ParseError("record %d is %s, expected %s" % (i, rec["name"], kinds[kind]))
        if kind == "con" and (rec["filters"], rec["nr"], rec["sy"]) != exp[1:]:
            raise ParseError("record %d con %s != %s" % (i, (rec["filters"], rec["nr"], rec["sy"]), exp[1:]))

    b = Builder()
    x, shape = "input", [1, 3, CHIP, CHIP]   # current tensor and its (static) NCHW shape
    block_in = None                          # (tensor, shape) at the start of a residual block
    shortcut = None
    i = 0

    def out_size(n, k, s, p):
        return (n + 2 * p - k) // s + 1

    while i < len(recs):
        rec = recs[i]
        nm = rec["name"]
        if nm == "con_4":
            if recs[i + 1]["name"] != "affine_":
                raise ParseError("con_4 %d not followed by affine_" % i)
            aff = recs[i + 1]
            if rec["nr"] == 3 and block_in is None:  # first conv of a residual block
                block_in = (x, shape)
            # fold affine: y = gamma * (W x + b) + beta
            g = aff["gamma"].astype(np.float64)
            w = (rec["w"].astype(np.float64) * g[:, None, None, None]).astype(np.float32)
            bias = (rec["b"].astype(np.float64) * g + aff["beta"].astype(np.float64)).astype(np.float32)
            x = b.node("Conv", [x, b.const("W", w), b.const("B", bias)], "conv",
                       kernel_shape=[rec["nr"], rec["nc"]], strides=[rec["sy"], rec["sx"]],
                       pads=[rec["py"], rec["px"], rec["py"], rec["px"]])
            shape = [1, rec["filters"], out_size(shape[2], rec["nr"], rec["sy"], rec["py"]),
                     out_size(shape[3], rec["nc"], rec["sx"], rec["px"])]
            i += 2
            continue
        if nm == "relu_":
            x = b.node("Relu", [x], "relu")
            i += 1
            continue
        if nm == "max_pool_2":
            x = b.node("MaxPool", [x], "maxpool", kernel_shape=[rec["nr"], rec["nc"]],
                       strides=[rec["sy"], rec["sx"]], pads=[rec["py"], rec["px"]] * 2)
            shape = shape[:2] + [out_size(shape[2], rec["nr"], rec["sy"], rec["py"]),
                                 out_size(shape[3], rec["nc"], rec["sx"], rec["px"])]
            i += 1
            continue
        if nm == "avg_pool_2" and rec["nr"] == 0:  # avg_pool_everything
            x = b.node("GlobalAveragePool", [x], "gap")
            x = b.node("Flatten", [x], "flatten", axis=1)
            shape = [1, shape[1]]
            i += 1
            continue
        if nm == "avg_pool_2":  # shortcut of a down block: pool the block input
            if rec["py"] or rec["px"]:
                raise ParseError("padded shortcut avg_pool not supported")
            src, sshape = block_in
            s = b.node("AveragePool", [src], "avgpool", kernel_shape=[rec["nr"], rec["nc"]],
                       strides=[rec["sy"], rec["sx"]])
            shortcut = (s, sshape[:2] + [out_size(sshape[2], rec["nr"], rec["sy"], 0),
                                         out_size(sshape[3], rec["nc"], rec["sx"], 0)])
            i += 1
            continue
        if nm == "add_prev_":
            other = shortcut if shortcut is not None else block_in
            tensors = []
            target = [max(a, c) for a, c in zip(shape, other[1])]
            for t, s in ((x, shape), other):
                pad_end = [tt - ss for tt, ss in zip(target, s)]
                if any(pad_end):  # dlib: missing elements are zero, at the end of each axis
                    pads = np.array([0, 0, 0, 0] + pad_end, dtype=np.int64)
                    t = b.node("Pad", [t, b.const("pads", pads)], "pad", mode="constant")
                tensors.append(t)
            x = b.node("Add", tensors, "add")
            shape = target
            block_in, shortcut = None, None
            i += 1
            continue
        if nm == "fc_2":
            w = np.ascontiguousarray(rec["w"].T)  # stored (in, out) with y = x.W
            x = b.node("Gemm", [x, b.const("fc_W", w)], "fc", transB=1)
            shape = [1, w.shape[0]]
            i += 1
            continue
        raise ParseError("cannot place record %d (%s)" % (i, nm))

    b.nodes[-1].output[0] = "descriptor"
    graph = helper.make_graph(
        b.nodes, "dlib_face_recognition_resnet_model_v1",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, CHIP, CHIP])],
        [helper.make_tensor_value_info("descriptor", TensorProto.FLOAT, shape)],
        b.inits)
    m = helper.make_model(graph, producer_name="rollcall-dlib_to_onnx",
                          opset_imports=[helper.make_opsetid("", OPSET)])
    m.ir_version = IR_VERSION
    m.doc_string = ("dlib ResNet v1 (loss_metric margin %.4g, threshold %.4g). Input: RGB, "
                    "(pixel - (%.3f, %.3f, %.3f)) / 256." % ((model["margin"], model["thresh"]) +
                                                            tuple(model["mean"])))
    onnx.checker.check_model(m)
    return m


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("input")
    ap.add_argument("output")
    ap.add_argument("-q", "--quiet", action="store_true")
    args = ap.parse_args()
    try:
        with open(args.input, "rb") as f:
            data = f.read()
        model = parse(data)
        onnx_model = build(model)
        with open(args.output, "wb") as f:
            f.write(onnx_model.SerializeToString())
    except ParseError as e:
        sys.exit("dlib_to_onnx: %s: %s" % (args.input, e))
    except Exception as e:
        sys.exit("dlib_to_onnx: %s: %s: %s" % (args.input, type(e).__name__,
                                              str(e).splitlines()[0] if str(e) else ""))
    if not args.quiet:
        print("dlib_to_onnx: %s (%d bytes, parsed to the last byte) -> %s: %d layer records, "
              "mean RGB %s, margin %.3g, threshold %.3g"
              % (args.input, len(data), args.output, len(model["records"]),
                 ", ".join("%.3f" % v for v in model["mean"]), model["margin"], model["thresh"]),
              file=sys.stderr)


if __name__ == "__main__":
    main()
