#!/usr/bin/env python3
"""Convert dlib's face-recognition ResNet (dlib_face_recognition_resnet_model_v1.dat) to
safetensors, truncated after its "level 2" stage (output: 128 x 8 x 8 for a 150x150 chip).

Source: PyPI sdist face_recognition_models==0.3.0,
face_recognition_models/models/dlib_face_recognition_resnet_model_v1.dat
(sha256 55533b28a95800a551ba546ba62fe69625c7e95a7061c338adffead08719da30, 22,466,066 bytes).
Model by Davis King (dlib); he states it is in the public domain (github davisking/dlib-models
README; blog.dlib.net, 2017-02-12); the sdist ships a CC0 1.0 LICENSE (its setup.py says MIT).

The network (dlib/examples/dnn_face_recognition_ex.cpp, tools/python/src/face_recognition.cpp):
    block<N,stride>    = affine<con<N,3,3,1,1,relu<affine<con<N,3,3,stride,stride,IN>>>>>
    ares<N>            = relu<add_prev1<block<N,1,tag1<IN>>>>
    ares_down<N>       = relu<add_prev2<avg_pool<2,2,2,2,skip1<tag2<block<N,2,tag1<IN>>>>>>>
    level0 = ares_down<256>; level1 = ares<256> x2 + ares_down<256>;
    level2 = ares<128> x2 + ares_down<128>; level3 = ares<64> x3 + ares_down<64>; level4 = ares<32> x3
    loss_metric<fc_no_bias<128,avg_pool_everything<level0<level1<level2<level3<level4<
        max_pool<3,3,2,2,relu<affine<con<32,7,7,2,2,input_rgb_image_sized<150>>>>>>>>>>>>>
Only the input .. end of level2 is kept: 21 convolutions.

dlib conventions (dlib/dnn/layers.h, dlib/cuda/cpu_dlib.cpp):
  * con_/max_pool_/avg_pool_ default padding = (stride != 1 ? 0 : k/2): 7x7/2 -> 0, 3x3/2 -> 0,
    3x3/1 -> 1, max_pool 3x3/2 -> 0, avg_pool 2x2/2 -> 0 (the file stores the padding; the
    parser checks it). Output size = 1 + (in + 2*pad - k) / stride (floor), so windows never
    overhang and odd sizes drop the last row/column: 150 -conv7/2-> 72 -maxpool3/2-> 35
    -level4-> 35 -level3-> 17 -level2-> 8.
  * Convolution is cross-correlation with OIHW weights (params = filters (O,I,kh,kw) then bias).
  * add_prev adds tensors of different shape by zero-padding each to the max of every
    dimension (top-left aligned): the 32 -> 64 and 64 -> 128 shortcuts (avg_pool of the block
    input) fill the first 32 / 64 channels; the rest get the block output alone. In levels 3
    and 2 both paths have the same spatial size (17, 8); (in level1 they do not: 3 vs 4.)
  * affine (converted bn): y = gamma[c] * x + beta[c]; folded here into the preceding conv:
    W' = W * gamma[o], b' = b * gamma[o] + beta.
  * Input: channels R,G,B, value = (pixel - mean[c]) / 256, mean = (122.782, 117.001, 104.298)
    as stored in the file (float32).

Output tensors (F32):
  conv00.weight [32,3,7,7]  conv00.bias [32]     stem, stride 2, pad 0; then relu, max_pool 3x3/2 pad 0
  convNN.weight [O,I,3,3]   convNN.bias [O]      NN = 01..20, residual blocks in order:
      block b (0..9) = conv(2b+1) -> relu -> conv(2b+2), + shortcut, -> relu
      blocks 0-2 level4 (32 ch, stride 1), 3-6 level3 (64; block 3 down), 7-9 level2 (128; block 7 down)
      a "down" block's first conv has stride 2, pad 0; its shortcut = avg_pool 2x2/2 pad 0 of
      the block input, zero-padded in channels; other convs stride 1, pad 1, identity shortcut.
  Affine layers are folded in: no separate scale/shift tensors.

__metadata__ (all strings):
  format          "dlib-resnet-level2-v1"
  conv_stride     comma list, one per conv00..conv20
  conv_padding    comma list, one per conv (symmetric, both axes)
  blocks          JSON list of {"convs": [a, b], "down": bool, "in": C, "out": C}
  stem            JSON {"conv": "conv00", "relu": true, "max_pool": {"k":3,"stride":2,"pad":0}}
  shortcut_pool   JSON {"k":2,"stride":2,"pad":0}
  input_size      "150"; input_layout "HWC RGB uint8 -> CHW float"
  input_mean_rgb  comma list of the three means (float32 values from the file, repr)
  input_scale     "0.00390625" (= 1/256: x = (pixel - mean) * scale)
  output_shape    "128,8,8"
  source, source_sha256, source_format ("dlib-dnn"), converter, license

Usage: convert_dlib_resnet.py IN.dat OUT.safetensors [--verbose] [--meta k=v ...]
Needs numpy only; runs offline.
"""

import argparse
import json
import os
import struct
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from safetensors_write import sha256_file, write_safetensors  # noqa: E402

LEVEL2_CONVS = 21  # 1 + 2 * (3 + 4 + 3)


# ----------------------------------------------------------------------------------------
# dlib/serialize.h primitives


class DlibReader:
    """Reads dlib's serialization format from a bytes object."""

    def __init__(self, data):
        self.data = data
        self.pos = 0

    def _take(self, n):
        if self.pos + n > len(self.data):
            raise ValueError(f"unexpected end of file at byte {self.pos} (need {n})")
        b = self.data[self.pos : self.pos + n]
        self.pos += n
        return b

    def int(self):
        """Signed integer (pack_int): control byte = size (low nibble) | 0x80 if negative,
        then `size` little-endian magnitude bytes."""
        at = self.pos
        ctl = self._take(1)[0]
        size = ctl & 0x0F
        if size == 0 or size > 8:
            raise ValueError(f"bad signed int control byte 0x{ctl:02x} at byte {at}")
        v = int.from_bytes(self._take(size), "little")
        return -v if ctl & 0x80 else v

    def uint(self):
        """Unsigned integer: control byte = size (bits 0x70 reserved), then LE bytes."""
        at = self.pos
        ctl = self._take(1)[0] & 0x8F
        if ctl == 0 or ctl > 8:
            raise ValueError(f"bad unsigned int control byte at byte {at}")
        return int.from_bytes(self._take(ctl), "little")

    def float(self):
        """float/double: float_details = int64 mantissa, int16 exponent (both pack_int),
        value = mantissa * 2**exponent; exponent 32000/32001/32002 = inf/-inf/nan.
        (Very old files used ASCII text ended by a space; detected by a 0x70 bit.)"""
        if self.data[self.pos] & 0x70:
            end = self.data.index(b" ", self.pos)
            txt = self._take(end - self.pos + 1)[:-1].decode("ascii")
            return float(txt)
        m = self.int()
        e = self.int()
        if e == 32000:
            return float("inf")
        if e == 32001:
            return float("-inf")
        if e == 32002:
            return float("nan")
        return float(np.ldexp(float(m), e))

    def bool(self):
        c = self._take(1)
        if c not in (b"0", b"1"):
            raise ValueError(f"bad bool {c!r} at byte {self.pos - 1}")
        return c == b"1"

    def string(self):
        n = self.uint()
        return self._take(n).decode("latin-1")

    def tensor(self):
        """resizable_tensor: int version (2), 4 x int64 (num_samples, k, nr, nc), then the
        floats as raw 4-byte little-endian IEEE (not float_details)."""
        v = self.int()
        if v != 2:
            raise ValueError(f"unexpected tensor version {v} at byte {self.pos}")
        shape = tuple(self.int() for _ in range(4))
        n = int(np.prod(shape))
        a = np.frombuffer(self._take(4 * n), dtype="<f4").astype(np.float32)
        return a.reshape(shape)

    def alias(self):
        """alias_tensor: int version (1), 4 x int64 shape, no data."""
        v = self.int()
        if v != 1:
            raise ValueError(f"unexpected alias_tensor version {v} at byte {self.pos}")
        return tuple(self.int() for _ in range(4))


# ----------------------------------------------------------------------------------------
# The network as a chain of dlib layer types, outermost first (the order of the C++ type).


def _block(n, stride):
    # BN<con<N,3,3,1,1,relu<BN<con<N,3,3,stride,stride,SUBNET>>>>>, outermost first
    return [("affine",), ("con", n, 3, 3, 1), ("relu",), ("affine",), ("con", n, 3, 3, stride)]


def _ares(n):
    return [("relu",), ("add_prev", 1)] + _block(n, 1) + [("tag", 1)]


def _ares_down(n):
    return ([("relu",), ("add_prev", 2), ("avg_pool", 2, 2, 2), ("skip", 1), ("tag", 2)]
            + _block(n, 2) + [("tag", 1)])


def face_resnet_chain():
    """anet_type of dnn_face_recognition_ex.cpp as a list of layer specs, outermost first."""
    chain = [("loss_metric",), ("fc_no_bias", 128), ("avg_pool", 0, 0, 1)]
    chain += _ares_down(256)                                   # level0
    chain += _ares(256) + _ares(256) + _ares_down(256)         # level1
    chain += _ares(128) + _ares(128) + _ares_down(128)         # level2
    chain += _ares(64) * 3 + _ares_down(64)                    # level3
    chain += _ares(32) * 3                                     # level4
    chain += [("max_pool", 3, 3, 2), ("relu",), ("affine",), ("con", 32, 7, 7, 2), ("input", 150)]
    return chain


def _default_pad(k, stride):
    return 0 if stride != 1 else k // 2


def _read_details(r, spec):
    """One layer's own serialization (the `details` object), checked against `spec`."""
    kind = spec[0]
    ver = r.string()
    d = {"kind": kind, "version": ver}
    if kind == "con":
        _, n, kh, kw, s = spec
        if ver not in ("con_4", "con_5", "con_6"):
            raise ValueError(f"expected con_4..6, found {ver!r}")
        params = r.tensor()
        d["num_filters"] = r.int()
        d["nr"], d["nc"] = r.int(), r.int()
        d["stride_y"], d["stride_x"] = r.int(), r.int()
        d["padding_y"], d["padding_x"] = r.int(), r.int()
        filt = r.alias()
        bias = r.alias()
        d["lr_mult"], d["wd_mult"], d["bias_lr_mult"], d["bias_wd_mult"] = (r.float() for _ in range(4))
        d["use_bias"] = r.bool() if ver in ("con_5", "con_6") else True
        d["use_relu"] = r.bool() if ver == "con_6" else False
        if (d["num_filters"], d["nr"], d["nc"], d["stride_y"], d["stride_x"]) != (n, kh, kw, s, s):
            raise ValueError(f"con mismatch: {d} vs {spec}")
        if (d["padding_y"], d["padding_x"]) != (_default_pad(kh, s), _default_pad(kw, s)):
            raise ValueError(f"con padding {d['padding_y']},{d['padding_x']} is not dlib's default")
        if d["use_relu"]:
            raise ValueError("con with fused relu is not expected here")
        flat = params.reshape(-1)
        nw = int(np.prod(filt))
        d["weight"] = flat[:nw].reshape(filt).copy()  # (O, I, kh, kw)
        if d["use_bias"]:
            d["bias"] = flat[nw : nw + int(np.prod(bias))].copy()
        else:
            d["bias"] = np.zeros(n, np.float32)
        if flat.size != nw + (int(np.prod(bias)) if d["use_bias"] else 0):
            raise ValueError("con params size mismatch")
    elif kind == "affine":
        if ver in ("affine_", "affine_2"):
            params = r.tensor()
            g = r.alias()
            b = r.alias()
            d["mode"] = r.int()
            d["disabled"] = r.bool() if ver == "affine_2" else False
            flat = params.reshape(-1)
            ng = int(np.prod(g))
            d["gamma"] = flat[:ng].copy()
            d["beta"] = flat[ng : ng + int(np.prod(b))].copy()
        elif ver == "bn_con2":  # a batch-norm layer read as affine: dlib converts on load
            params = r.tensor()
            g = r.alias()
            b = r.alias()
            r.tensor(); r.tensor()  # means, invstds (batch statistics, unused)
            rmean = r.tensor().reshape(-1)
            rvar = r.tensor().reshape(-1)
            r.uint(); r.uint()  # num_updates, running_stats_window_size
            for _ in range(4):
                r.float()
            eps = r.float()
            flat = params.reshape(-1)
            ng = int(np.prod(g))
            gamma = flat[:ng] / np.sqrt(rvar + np.float32(eps))
            d["gamma"] = gamma.astype(np.float32)
            d["beta"] = (flat[ng : ng + int(np.prod(b))] - gamma * rmean).astype(np.float32)
            d["mode"] = 0
            d["disabled"] = False
        else:
            raise ValueError(f"expected affine_/affine_2/bn_con2, found {ver!r}")
        if d["mode"] != 0:
            raise ValueError("affine not in CONV_MODE")
        if d["disabled"]:
            raise ValueError("disabled affine is not expected")
    elif kind == "relu":
        if ver == "relu_2":
            d["disabled"] = r.bool()
        elif ver == "relu_":
            d["disabled"] = False
        else:
            raise ValueError(f"expected relu_, found {ver!r}")
        if d["disabled"]:
            raise ValueError("disabled relu is not expected")
    elif kind in ("max_pool", "avg_pool"):
        _, k, _, s = spec
        if ver != f"{kind}_2":
            raise ValueError(f"expected {kind}_2, found {ver!r}")
        d["nr"], d["nc"] = r.int(), r.int()
        d["stride_y"], d["stride_x"] = r.int(), r.int()
        d["padding_y"], d["padding_x"] = r.int(), r.int()
        if (d["nr"], d["nc"], d["stride_y"], d["stride_x"]) != (k, k, s, s):
            raise ValueError(f"{kind} mismatch: {d} vs {spec}")
        if (d["padding_y"], d["padding_x"]) != (_default_pad(k, s), _default_pad(k, s)):
            raise ValueError(f"{kind} padding is not dlib's default")
    elif kind == "add_prev":
        if ver != "add_prev_":
            raise ValueError(f"expected add_prev_, found {ver!r}")
        d["tag"] = spec[1]
    elif kind == "fc_no_bias":
        if ver not in ("fc_2", "fc_3"):
            raise ValueError(f"expected fc_2/fc_3, found {ver!r}")
        d["num_outputs"], d["num_inputs"] = r.uint(), r.uint()
        params = r.tensor()
        w = r.alias()
        r.alias()
        d["bias_mode"] = r.int()
        for _ in range(4):
            r.float()
        d["use_bias"] = r.bool() if ver == "fc_3" else True
        if d["bias_mode"] != 1 or d["num_outputs"] != spec[1]:  # FC_NO_BIAS = 1
            raise ValueError(f"fc mismatch: {d}")
        nw = int(np.prod(w))
        d["weight"] = params.reshape(-1)[:nw].reshape(w[0], w[1]).copy()  # (in, out)
    else:
        raise ValueError(f"no details for {kind}")
    return d


def parse_dat(path_or_bytes):
    """Parse the whole .dat in dlib's deserialize order.

    add_loss_layer writes (version, loss details, subnet); add_layer writes (version, SUBNET,
    details, 3 bools, x_grad, cached_output, params_grad); add_tag_layer / add_skip_layer
    write (version, subnet). So the stream holds every layer's version number outermost
    first, then the input layer, then each layer's details innermost (input side) first.

    Returns {"input": {...}, "layers": [layer dicts in execution order, input side first],
    "loss": {...}, "bytes": n}. Tags and skips appear as {"kind": "tag"/"skip", "id": n}.
    """
    data = path_or_bytes if isinstance(path_or_bytes, (bytes, bytearray)) else open(path_or_bytes, "rb").read()
    r = DlibReader(data)
    chain = face_resnet_chain()
    assert chain[0][0] == "loss_metric" and chain[-1][0] == "input"
    # add_loss_layer
    if r.int() != 1:
        raise ValueError("unexpected add_loss_layer version")
    ver = r.string()
    loss = {"version": ver}
    if ver == "loss_metric_2":
        loss["margin"], loss["dist_thresh"] = r.float(), r.float()
    elif ver != "loss_metric_":
        raise ValueError(f"expected loss_metric_, found {ver!r}")
    # version numbers of every layer wrapper, outermost first
    body = chain[1:-1]
    add_versions = []
    for i, spec in enumerate(body):
        v = r.int()
        innermost = i == len(body) - 1  # this add_layer's subnet is the input layer
        if spec[0] in ("tag", "skip"):
            if v != 1:
                raise ValueError(f"unexpected {spec[0]} version {v}")
            add_versions.append(None)
        else:
            ok = (2, 3) if innermost else (1, 2)
            if v not in ok:
                raise ValueError(f"unexpected add_layer version {v} at layer {i}")
            add_versions.append(v)
    # input layer
    ver = r.string()
    if ver != "input_rgb_image_sized":
        raise ValueError(f"expected input_rgb_image_sized, found {ver!r}")
    means = [r.float() for _ in range(3)]
    nr, nc = r.uint(), r.uint()
    if (nr, nc) != (chain[-1][1], chain[-1][1]):
        raise ValueError(f"input size {nr}x{nc}")
    inp = {"mean_rgb": [float(np.float32(m)) for m in means], "nr": nr, "nc": nc, "scale": 1.0 / 256.0}
    # details, innermost first
    layers = []
    for i in range(len(body) - 1, -1, -1):
        spec = body[i]
        if spec[0] in ("tag", "skip"):
            layers.append({"kind": spec[0], "id": spec[1]})
            continue
        d = _read_details(r, spec)
        d["setup_called"] = r.bool()
        r.bool(); r.bool()  # gradient_input_is_stale, get_output_and_gradient_input_disabled
        r.tensor(); r.tensor()  # x_grad, cached_output
        if i == len(body) - 1:  # add_layer over the input layer
            r.tensor()  # grad_final
            if add_versions[i] >= 3:
                r.uint()  # _sample_expansion_factor
        elif add_versions[i] == 2:
            r.tensor()  # params_grad
        layers.append(d)
    if r.pos != len(data):
        raise ValueError(f"{len(data) - r.pos} trailing bytes after the network")
    return {"input": inp, "layers": layers, "loss": loss, "bytes": len(data)}


# ----------------------------------------------------------------------------------------
# Truncation + affine folding


def level2_convs(net):
    """The first 21 convolutions (input .. end of level2) in execution order, each paired
    with the affine that follows it, plus the block structure."""
    layers = net["layers"]
    convs = []
    i = 0
    while len(convs) < LEVEL2_CONVS:
        L = layers[i]
        if L["kind"] == "con":
            if layers[i + 1]["kind"] != "affine":
                raise ValueError("con not followed by affine")
            convs.append((L, layers[i + 1]))
        i += 1
    return convs


def fold(con, aff):
    g = aff["gamma"].astype(np.float64)
    w = con["weight"].astype(np.float64) * g[:, None, None, None]
    b = con["bias"].astype(np.float64) * g + aff["beta"].astype(np.float64)
    return w.astype(np.float32), b.astype(np.float32)


def convert(net):
    """Return (tensors, metadata-without-source) for the truncated, folded network."""
    convs = level2_convs(net)
    tensors = {}
    strides, pads = [], []
    for j, (c, a) in enumerate(convs):
        w, b = fold(c, a)
        tensors[f"conv{j:02d}.weight"] = w
        tensors[f"conv{j:02d}.bias"] = b
        strides.append(c["stride_y"])
        pads.append(c["padding_y"])
    blocks = []
    for bi in range(10):
        ca, cb = 2 * bi + 1, 2 * bi + 2
        wa = tensors[f"conv{ca:02d}.weight"]
        blocks.append({"convs": [f"conv{ca:02d}", f"conv{cb:02d}"], "down": strides[ca] == 2,
                       "in": int(wa.shape[1]), "out": int(wa.shape[0])})
    inp = net["input"]
    # spatial size through the kept layers: out = 1 + (in + 2*pad - k) // stride
    size = 1 + (inp["nr"] - 7) // strides[0]       # conv00 7x7, pad 0
    size = 1 + (size - 3) // 2                      # max_pool 3x3/2, pad 0
    for blk in blocks:
        if blk["down"]:
            size = 1 + (size - 3) // 2              # 3x3/2 conv, pad 0 (avg_pool 2x2/2 gives the same)
    out_ch = blocks[-1]["out"]
    meta = {
        "format": "dlib-resnet-level2-v1",
        "conv_stride": ",".join(map(str, strides)),
        "conv_padding": ",".join(map(str, pads)),
        "blocks": json.dumps(blocks, separators=(",", ":")),
        "stem": json.dumps({"conv": "conv00", "relu": True, "max_pool": {"k": 3, "stride": 2, "pad": 0}},
                           separators=(",", ":")),
        "shortcut_pool": json.dumps({"k": 2, "stride": 2, "pad": 0}, separators=(",", ":")),
        "input_size": str(inp["nr"]),
        "input_layout": "HWC RGB uint8 -> CHW float",
        "input_mean_rgb": ",".join(repr(float(np.float32(m))) for m in inp["mean_rgb"]),
        "input_scale": repr(inp["scale"]),
        "output_shape": f"{out_ch},{size},{size}",
    }
    return tensors, meta


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("src")
    ap.add_argument("out")
    ap.add_argument("--meta", action="append", default=[], metavar="K=V", help="extra metadata")
    ap.add_argument("--verbose", action="store_true", help="list every converted tensor")
    args = ap.parse_args(argv)

    net = parse_dat(args.src)
    tensors, meta = convert(net)
    meta.update({
        "source": os.path.basename(args.src),
        "source_sha256": sha256_file(args.src),
        "source_format": "dlib-dnn",
        "converter": "scripts/convert_dlib_resnet.py",
        "license": "public domain (Davis King, github.com/davisking/dlib-models README); "
                   "CC0-1.0 LICENSE in PyPI face_recognition_models 0.3.0",
    })
    for kv in args.meta:
        k, _, v = kv.partition("=")
        meta[k] = v
    if args.verbose:
        for name in sorted(tensors):
            print(f"  {name:<14} {list(tensors[name].shape)}")
    total = sum(a.size for a in tensors.values())
    write_safetensors(args.out, tensors, meta)
    print(f"{meta['source']}: {net['bytes']:,} bytes, {sum(1 for L in net['layers'] if L['kind'] == 'con')} convs; "
          f"kept {LEVEL2_CONVS} (to level2, affine folded), {total:,} weights -> {args.out}")


if __name__ == "__main__":
    main()
