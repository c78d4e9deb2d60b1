#!/usr/bin/env python3
"""Sanity check of the converted model files (developers only; CI does not run it).

  scripts/mtcnn_reference.py [FILE.safetensors ...]            shapes, first values, metadata keys
  scripts/mtcnn_reference.py --compare [FILE.safetensors ...]  also compare each MTCNN tensor,
      bit for bit, with torch.load of its source .pt in Data/cache/ (needs an importable torch)

With no files, checks the four files in Data/models/. Needs numpy only; never imports torch
except for --compare.
"""

import argparse
import glob
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from safetensors_write import read_safetensors  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("files", nargs="*")
    ap.add_argument("--compare", action="store_true", help="compare with torch.load of the source .pt")
    args = ap.parse_args()
    files = args.files or sorted(glob.glob(os.path.join(ROOT, "Data/models/*.safetensors")))
    if not files:
        sys.exit("no safetensors files (run scripts/models.sh)")
    torch = None
    if args.compare:
        try:
            import torch
        except ImportError:
            print("--compare: torch is not importable here; printing only")
    failed = 0
    for path in files:
        tensors, meta = read_safetensors(path)
        total = sum(a.size for a in tensors.values())
        print(f"{os.path.basename(path)}: {len(tensors)} tensors, {total:,} values, "
              f"source {meta.get('source')} sha256 {meta.get('source_sha256', '?')[:16]}…, "
              f"metadata keys {sorted(meta)}")
        order = json.loads(meta["tensor_order"]) if "tensor_order" in meta else [
            t for ws in json.loads(meta.get("layer_weights", "{}")).values() for t in ws]
        order += sorted(set(tensors) - set(order))
        for name in order:
            a = tensors[name]
            first = np.array2string(a.reshape(-1)[:4], precision=6, separator=", ")
            print(f"  {name:<44} {str(list(a.shape)):<18} {first}")
        if torch is not None and meta.get("source_format", "").startswith("torch"):
            src = os.path.join(ROOT, "Data/cache", meta["source"])
            ref = torch.load(src, map_location="cpu")
            bad = [k for k in ref if k not in tensors or not np.array_equal(ref[k].numpy(), tensors[k])]
            extra = sorted(set(tensors) - set(ref))
            ok = not bad and not extra and list(ref) == json.loads(meta["tensor_order"])
            print(f"  compare with torch.load({meta['source']}): {'identical' if ok else 'DIFFERENT'}"
                  + (f" bad={bad} extra={extra}" if not ok else ""))
            failed += not ok
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
