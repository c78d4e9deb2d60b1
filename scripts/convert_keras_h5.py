#!/usr/bin/env python3
"""Convert a Keras 2 HDF5 model file (e.g. fer's emotion_model.hdf5) to safetensors.

Every weight under /model_weights is written with Keras' own shape and dtype (HWIO conv
kernels, (3,3,C,1) depthwise kernels, (1,1,C,O) pointwise kernels, ...) under the name
`<layer_name>/<weight>` (e.g. `conv2d_1/kernel:0`, `batch_normalization_1/moving_mean:0`).
The stored weight path keeps Keras' TF scope, which can differ from the layer name
(`conv2d_1_1/kernel:0`); the last component is kept and prefixed with the layer name, and the
original paths are recorded in the metadata.

__metadata__ (all strings):
  keras_model_config  the file's `model_config` attribute, verbatim (architecture JSON with
                      every layer's class, config and inbound nodes)
  layer_names         JSON list of /model_weights layer names in file order
  layer_weights       JSON {layer: [tensor names in Keras' weight order]} (layers with weights)
  h5_weight_names     JSON {tensor name: weight name as stored in the file}
  keras_version, backend, source, source_sha256, converter
Optimizer state (/optimizer_weights) is not converted.

Usage: convert_keras_h5.py SRC.hdf5 OUT.safetensors [--expect-params N] [--meta k=v ...]
"""

import argparse
import json
import os
import sys

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from safetensors_write import sha256_file, write_safetensors  # noqa: E402


def _str(v):
    return v.decode("utf-8") if isinstance(v, (bytes, np.bytes_)) else str(v)


def load(path):
    """Return (tensors {name: array} in file order, layer_names, layer_weights, h5 names, attrs)."""
    with h5py.File(path, "r") as f:
        attrs = {k: _str(v) for k, v in f.attrs.items() if k in ("model_config", "keras_version", "backend")}
        mw = f["model_weights"] if "model_weights" in f else f  # save_weights() files have no wrapper
        layer_names = [_str(n) for n in mw.attrs["layer_names"]]
        tensors, layer_weights, h5_names = {}, {}, {}
        for layer in layer_names:
            g = mw[layer]
            names = [_str(n) for n in g.attrs.get("weight_names", [])]
            if not names:
                continue
            layer_weights[layer] = []
            for wname in names:
                tname = f"{layer}/{wname.rsplit('/', 1)[-1]}"
                if tname in tensors:
                    raise ValueError(f"duplicate tensor name {tname}")
                tensors[tname] = np.array(g[wname])
                layer_weights[layer].append(tname)
                h5_names[tname] = f"{layer}/{wname}"
    return tensors, layer_names, layer_weights, h5_names, attrs


def layer_summary(model_config):
    """[(class_name, name, note)] from the architecture JSON, in config order."""
    cfg = json.loads(model_config)
    layers = cfg["config"]["layers"] if isinstance(cfg.get("config"), dict) else cfg["config"]
    out = []
    for layer in layers:
        c = layer.get("config", {})
        note = ""
        if layer["class_name"] == "InputLayer":
            note = f"batch_input_shape={c.get('batch_input_shape')}"
        elif layer["class_name"] == "Activation":
            note = c.get("activation", "")
        elif "filters" in c:
            note = (f"filters={c['filters']} kernel={c.get('kernel_size')} strides={c.get('strides')} "
                    f"padding={c.get('padding')} bias={c.get('use_bias')}")
        elif "pool_size" in c:
            note = f"pool={c['pool_size']} strides={c.get('strides')} padding={c.get('padding')}"
        elif layer["class_name"] == "BatchNormalization":
            note = f"epsilon={c.get('epsilon')} axis={c.get('axis')}"
        out.append((layer["class_name"], layer.get("name", c.get("name")), note))
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("src")
    ap.add_argument("out")
    ap.add_argument("--expect-params", type=int, help="fail unless the weight count matches")
    ap.add_argument("--meta", action="append", default=[], metavar="K=V", help="extra metadata")
    ap.add_argument("--verbose", action="store_true", help="list every layer and weight")
    args = ap.parse_args(argv)

    tensors, layer_names, layer_weights, h5_names, attrs = load(args.src)
    name = os.path.basename(args.src)
    if args.verbose:
        print(f"{name}: Keras {attrs.get('keras_version', '?')} ({attrs.get('backend', '?')}), "
              f"{len(layer_names)} layers, {len(tensors)} weight tensors")
    if args.verbose and "model_config" in attrs:
        for cls, lname, note in layer_summary(attrs["model_config"]):
            ws = ", ".join(f"{t.split('/', 1)[1]}{list(tensors[t].shape)}" for t in layer_weights.get(lname, []))
            print(f"  {cls:<24} {lname:<26} {note}{'  ' + ws if ws else ''}")
    total = sum(a.size for a in tensors.values())
    stats = sum(a.size for t, a in tensors.items() if "moving_" in t)
    summary = (f"{name}: Keras {attrs.get('keras_version', '?')}, {len(layer_names)} layers, {total:,} weights "
               f"({total - stats:,} trainable + {stats:,} batch-norm statistics)")
    if args.expect_params is not None and total != args.expect_params:
        sys.exit(f"error: {name}: {total} weights, expected {args.expect_params}")

    meta = {
        "source": name,
        "source_sha256": sha256_file(args.src),
        "source_format": "keras-hdf5",
        "converter": "scripts/convert_keras_h5.py",
        "layer_names": json.dumps(layer_names),
        "layer_weights": json.dumps(layer_weights),
        "h5_weight_names": json.dumps(h5_names),
    }
    for k in ("keras_version", "backend"):
        if k in attrs:
            meta[k] = attrs[k]
    if "model_config" in attrs:
        meta["keras_model_config"] = attrs["model_config"]
    for kv in args.meta:
        k, _, v = kv.partition("=")
        meta[k] = v
    write_safetensors(args.out, tensors, meta)
    print(f"{summary} -> {args.out}")


if __name__ == "__main__":
    main()
