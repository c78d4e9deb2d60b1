#!/usr/bin/env python3
"""Loads a `curate export --format imagefolder` folder with Hugging Face datasets'
`load_dataset("imagefolder", data_dir=...)`, as a user's training code would, and prints a JSON
summary: the splits, their row counts, the columns, and each split's (file label, metadata label)
agreement.

Usage: hf_imagefolder_check.py EXPORT_DIR
"""
import json, sys, os
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
from datasets import load_dataset
from datasets.utils.logging import disable_progress_bar

disable_progress_bar()
root = sys.argv[1]
ds = load_dataset("imagefolder", data_dir=root, cache_dir=os.path.join(root, "..", "hf-cache"))
out = {"splits": {}, "columns": None}
for name, split in ds.items():
    out["columns"] = sorted(split.column_names)
    sizes = sorted({tuple(im.size) for im in split["image"]})
    out["splits"][name] = {"rows": split.num_rows, "labels": sorted(set(split["label"])), "sizes": sizes,
                           "face_ids": sorted(split["face_id"])}
print(json.dumps(out, sort_keys=True))
