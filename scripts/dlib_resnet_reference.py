#!/usr/bin/env python3
"""Plain-numpy reference forward pass of dlib's face-recognition ResNet, truncated after
level 2 (developers only; CI does not run it).

  dlib_resnet_reference.py MODEL.dat [--image CHIP] [--converted OUT.safetensors]
                           [--full] [--dlib] [--shapes] [--time N] [--save-npy OUT.npy]

MODEL.dat is the ORIGINAL dlib_face_recognition_resnet_model_v1.dat. Its layers are run as
dlib runs them, straight from the parsed file: a generic interpreter of dlib's layer chain
(con, affine (NOT folded), relu, max_pool, avg_pool, tag/skip, add_prev with dlib's
zero-padding of mismatched shapes), so it checks convert_dlib_resnet.py's folding and
naming independently. Only the byte-level .dat parser is shared with the converter (and is
itself checked by --dlib against dlib's own loader).

CHIP: a 150x150 RGB uint8 face chip (as dlib.get_face_chip makes), as .npy (HxWx3) or
binary PPM (P6). Without --image a fixed synthetic image is used.

  (default)     level-2 map (128 x 8 x 8): prints its shape and summary statistics
  --converted   also runs the level-2 network from the converted safetensors (folded convs,
                blocks/strides from its metadata) and prints the max abs difference
  --full        also runs the whole network (levels 1, 0, avg_pool_everything, fc_no_bias)
                and prints the 128-d descriptor's norm
  --dlib        compare --full's descriptor with
                dlib.face_recognition_model_v1(MODEL).compute_face_descriptor(chip)
                (the 150x150 aligned-chip overload; needs the dlib Python package)
  --shapes      per-layer output shapes, weights and FLOPs of the level-2 part
  --time N      time N level-2 forwards and print ms per face

Needs numpy only (dlib for --dlib).
"""

import argparse
import json
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from convert_dlib_resnet import LEVEL2_CONVS, parse_dat  # noqa: E402
from safetensors_write import read_safetensors  # noqa: E402

# ----------------------------------------------------------------------------------------
# dlib layer semantics on CHW float32 tensors


def conv2d(x, w, b, stride, pad):
    """dlib tensor_conv: cross-correlation, zero padding `pad` on every side,
    out = 1 + (in + 2*pad - k) // stride (windows never overhang)."""
    c, h, wd = x.shape
    o, ci, kh, kw = w.shape
    assert ci == c, (w.shape, x.shape)
    if pad:
        x = np.pad(x, ((0, 0), (pad, pad), (pad, pad)))
    ho = 1 + (h + 2 * pad - kh) // stride
    wo = 1 + (wd + 2 * pad - kw) // stride
    sc, sh, sw = x.strides
    cols = np.lib.stride_tricks.as_strided(
        x, shape=(c, kh, kw, ho, wo), strides=(sc, sh, sw, sh * stride, sw * stride))
    cols = cols.reshape(c * kh * kw, ho * wo)
    out = w.reshape(o, -1) @ cols
    out += b[:, None]
    return out.reshape(o, ho, wo)


def pool(x, k, stride, pad, op):
    """dlib pooling with padding 0 (all pools in this net): windows at stride*i .. +k-1."""
    assert pad == 0
    c, h, w = x.shape
    ho = 1 + (h - k) // stride
    wo = 1 + (w - k) // stride
    sc, sh, sw = x.strides
    win = np.lib.stride_tricks.as_strided(
        x, shape=(c, ho, wo, k, k), strides=(sc, sh * stride, sw * stride, sh, sw))
    return win.max(axis=(3, 4)) if op == "max" else win.mean(axis=(3, 4), dtype=np.float32)


def add_prev(a, b):
    """dlib cpu::add(dest, src1, src2): dest has the max of every dimension; each source
    contributes where its own index range reaches (top-left aligned), zero elsewhere."""
    shape = tuple(max(p, q) for p, q in zip(a.shape, b.shape))
    if a.shape == b.shape:
        return a + b
    out = np.zeros(shape, np.float32)
    out[: a.shape[0], : a.shape[1], : a.shape[2]] += a
    out[: b.shape[0], : b.shape[1], : b.shape[2]] += b
    return out


def to_input(img, mean_rgb):
    """input_rgb_image_sized::to_tensor: CHW, (pixel - mean) / 256, in float32."""
    img = np.asarray(img)
    if img.shape != (150, 150, 3) or img.dtype != np.uint8:
        raise ValueError(f"need a 150x150x3 uint8 image, got {img.shape} {img.dtype}")
    x = img.astype(np.float32).transpose(2, 0, 1)
    x = x - np.asarray(mean_rgb, np.float32)[:, None, None]
    return (x / np.float32(256.0)).astype(np.float32)


# ----------------------------------------------------------------------------------------
# Forward straight from the parsed .dat (generic interpreter of dlib's layer chain)


def level2_end(layers):
    """Index (exclusive) in execution order of the end of level 2: the relu after the
    add_prev that closes the block of the 21st convolution."""
    n = 0
    for i, L in enumerate(layers):
        if L["kind"] == "con":
            n += 1
        if n == LEVEL2_CONVS and L["kind"] == "add_prev":
            assert layers[i + 1]["kind"] == "relu"
            return i + 2
    raise ValueError("level 2 end not found")


def forward_dat(net, img, upto="level2", trace=None):
    layers = net["layers"]
    end = level2_end(layers) if upto == "level2" else len(layers)
    x = to_input(img, net["input"]["mean_rgb"])
    tags = {}
    for L in layers[:end]:
        k = L["kind"]
        if k == "con":
            x = conv2d(x, L["weight"], L["bias"], L["stride_y"], L["padding_y"])
        elif k == "affine":
            x = x * L["gamma"][:, None, None] + L["beta"][:, None, None]
        elif k == "relu":
            x = np.maximum(x, 0)
        elif k == "max_pool":
            x = pool(x, L["nr"], L["stride_y"], L["padding_y"], "max")
        elif k == "avg_pool":
            if L["nr"] == 0:  # avg_pool_everything
                x = x.mean(axis=(1, 2), dtype=np.float32)[:, None, None]
            else:
                x = pool(x, L["nr"], L["stride_y"], L["padding_y"], "avg")
        elif k == "tag":
            tags[L["id"]] = x
        elif k == "skip":
            x = tags[L["id"]]
        elif k == "add_prev":
            x = add_prev(x, tags[L["tag"]])
        elif k == "fc_no_bias":
            x = x.reshape(-1) @ L["weight"]
        else:
            raise ValueError(k)
        if trace is not None:
            trace.append((L, x.shape))
    return x


# ----------------------------------------------------------------------------------------
# Forward from the converted safetensors (what the Swift layer implements)


def forward_converted(tensors, meta, img):
    strides = [int(s) for s in meta["conv_stride"].split(",")]
    pads = [int(s) for s in meta["conv_padding"].split(",")]
    mean = [float(v) for v in meta["input_mean_rgb"].split(",")]
    scale = np.float32(float(meta["input_scale"]))
    img = np.asarray(img)
    x = (img.astype(np.float32).transpose(2, 0, 1) - np.asarray(mean, np.float32)[:, None, None]) * scale

    def conv(i, x):
        return conv2d(x, tensors[f"conv{i:02d}.weight"], tensors[f"conv{i:02d}.bias"], strides[i], pads[i])

    stem = json.loads(meta["stem"])
    x = np.maximum(conv(0, x), 0)
    mp = stem["max_pool"]
    x = pool(x, mp["k"], mp["stride"], mp["pad"], "max")
    sp = json.loads(meta["shortcut_pool"])
    for blk in json.loads(meta["blocks"]):
        a, b = (int(n[4:]) for n in blk["convs"])
        y = conv(b, np.maximum(conv(a, x), 0))
        s = pool(x, sp["k"], sp["stride"], sp["pad"], "avg") if blk["down"] else x
        if s.shape[0] < y.shape[0]:  # zero-padded channels
            s = np.concatenate([s, np.zeros((y.shape[0] - s.shape[0],) + s.shape[1:], np.float32)])
        assert s.shape == y.shape, (s.shape, y.shape)
        x = np.maximum(y + s, 0)
    return x


# ----------------------------------------------------------------------------------------


def load_image(path):
    if path is None:
        # fixed synthetic 150x150 image: smooth colour ramps + a bright ellipse + noise
        yy, xx = np.mgrid[0:150, 0:150].astype(np.float32)
        rng = np.random.default_rng(12345)
        face = (((xx - 75) / 45) ** 2 + ((yy - 80) / 60) ** 2 < 1).astype(np.float32)
        img = np.stack([60 + 1.0 * xx + 120 * face, 40 + 0.8 * yy + 90 * face, 90 + 0.3 * (xx + yy) + 60 * face], -1)
        img += rng.normal(0, 12, img.shape)
        return np.clip(img, 0, 255).astype(np.uint8)
    if path.endswith(".npy"):
        return np.load(path)
    with open(path, "rb") as f:
        data = f.read()
    if data[:2] != b"P6":
        raise ValueError("image must be .npy (HxWx3 uint8) or binary PPM (P6)")
    fields, pos = [], 2
    while len(fields) < 3:
        while data[pos:pos + 1].isspace():
            pos += 1
        if data[pos:pos + 1] == b"#":
            pos = data.index(b"\n", pos)
            continue
        start = pos
        while not data[pos:pos + 1].isspace():
            pos += 1
        fields.append(int(data[start:pos]))
    w, h, maxval = fields
    assert maxval == 255
    return np.frombuffer(data[pos + 1 : pos + 1 + w * h * 3], np.uint8).reshape(h, w, 3)


def describe(L):
    k = L["kind"]
    if k == "con":
        return f"con {L['num_filters']} {L['nr']}x{L['nc']}/{L['stride_y']} pad {L['padding_y']}"
    if k in ("max_pool", "avg_pool"):
        return f"{k} {L['nr']}x{L['nc']}/{L['stride_y']} pad {L['padding_y']}"
    if k in ("tag", "skip"):
        return f"{k}{L['id']}"
    if k == "add_prev":
        return f"add_prev{L['tag']}"
    return k


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("model", help="the original dlib_face_recognition_resnet_model_v1.dat")
    ap.add_argument("--image", help="150x150 RGB chip (.npy HxWx3 uint8 or P6 .ppm)")
    ap.add_argument("--converted", help="safetensors from convert_dlib_resnet.py to compare")
    ap.add_argument("--full", action="store_true", help="also compute the 128-d descriptor")
    ap.add_argument("--dlib", action="store_true", help="compare the descriptor with dlib's")
    ap.add_argument("--shapes", action="store_true", help="per-layer shapes, weights, FLOPs")
    ap.add_argument("--time", type=int, default=0, metavar="N", help="time N level-2 forwards")
    ap.add_argument("--save-npy", help="write the level-2 map (128x8x8 float32) here")
    args = ap.parse_args(argv)

    net = parse_dat(args.model)
    img = load_image(args.image)
    trace = []
    ref = forward_dat(net, img, "level2", trace)
    print(f"level-2 map {tuple(ref.shape)}: mean {ref.mean():.6f}, max {ref.max():.6f}, "
          f"zero fraction {(ref == 0).mean():.3f}")
    failed = False

    if args.shapes:
        total_w, total_flops = 0, 0
        print(f"  {'layer':<28} {'output (C,H,W)':<16} {'weights':>9} {'MFLOPs':>8}")
        for L, shape in trace:
            w = flops = 0
            if L["kind"] == "con":
                w = L["weight"].size + L["bias"].size
                flops = 2 * L["weight"][0].size * int(np.prod(shape))  # 2 * MACs
            elif L["kind"] == "affine":
                w = L["gamma"].size + L["beta"].size
            total_w += w
            total_flops += flops
            if L["kind"] not in ("tag",):
                print(f"  {describe(L):<28} {str(tuple(int(s) for s in shape)):<16} {w:>9,} {flops / 1e6:>8.2f}")
        folded = sum(L["weight"].size + L["bias"].size for L, _ in trace if L["kind"] == "con")
        print(f"  total: {total_w:,} weights in the .dat layers ({folded:,} after folding affines), "
              f"{total_flops / 1e6:.1f} MFLOPs (convs, 2*MAC) per face")

    if args.converted:
        tensors, meta = read_safetensors(args.converted)
        tensors = {k: np.array(v, np.float32) for k, v in tensors.items()}  # aligned, writable copies
        got = forward_converted(tensors, meta, img)
        d = float(np.abs(got - ref).max())
        rel = d / float(np.abs(ref).max())
        print(f"converted vs .dat (level 2): shape {tuple(got.shape)}, max abs diff {d:.3e} "
              f"(relative to max |x| {rel:.2e})")
        if got.shape != ref.shape or rel > 1e-4:
            print("  MISMATCH")
            failed = True

    if args.time:
        forward_dat(net, img, "level2")
        t0 = time.perf_counter()
        for _ in range(args.time):
            forward_dat(net, img, "level2")
        t1 = time.perf_counter()
        print(f"numpy level-2 forward from .dat (affine unfolded): {(t1 - t0) / args.time * 1e3:.1f} ms per face")
        if args.converted:
            t0 = time.perf_counter()
            for _ in range(args.time):
                forward_converted(tensors, meta, img)
            t1 = time.perf_counter()
            print(f"numpy level-2 forward from safetensors (folded): {(t1 - t0) / args.time * 1e3:.1f} ms per face")

    if args.save_npy:
        np.save(args.save_npy, ref)

    if args.full or args.dlib:
        full_trace = []
        desc = forward_dat(net, img, "full", full_trace)
        print(f"descriptor (numpy): 128-d, norm {np.linalg.norm(desc):.6f}, first {np.round(desc[:4], 5)}")
        if args.shapes:
            print("  full-net block outputs: " + " ".join(
                str(tuple(int(s) for s in shape)) for L, shape in full_trace if L["kind"] == "add_prev"))
        if args.dlib:
            try:
                import dlib
            except ImportError:
                sys.exit("--dlib: the dlib package is not importable")
            model = dlib.face_recognition_model_v1(args.model)
            theirs = np.asarray(model.compute_face_descriptor(np.ascontiguousarray(img)), np.float64)
            d = float(np.abs(theirs - desc).max())
            print(f"dlib {dlib.__version__} compute_face_descriptor(chip): norm {np.linalg.norm(theirs):.6f}, "
                  f"max abs diff vs numpy {d:.3e}, euclidean distance {np.linalg.norm(theirs - desc):.3e}")
            if d > 1e-3:
                print("  MISMATCH")
                failed = True
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
