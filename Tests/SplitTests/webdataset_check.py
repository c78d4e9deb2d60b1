#!/usr/bin/env python3
"""Reads a `curate export --format webdataset` folder with the webdataset package, as training
code would, and prints a JSON summary per split: samples, face ids, image sizes, and whether each
sample's .cls agrees with its .json label under labels.json's class order.

Usage: webdataset_check.py EXPORT_DIR
"""
import glob, json, os, sys
import webdataset as wds

root = sys.argv[1]
classes = json.load(open(os.path.join(root, "labels.json")))["classes"]
out = {}
for split in ("train", "val", "test"):
    shards = sorted(glob.glob(os.path.join(root, f"{split}-*.tar")))
    if not shards:
        continue
    ds = wds.WebDataset(shards, shardshuffle=False).decode("pil").to_tuple("__key__", "png", "json", "cls")
    ids, sizes, mismatched = [], set(), 0
    for key, img, meta, cls in ds:
        ids.append(meta["face_id"])
        sizes.add(img.size)
        if classes[cls] != meta["label"] or key != "face%09d" % meta["face_id"]:
            mismatched += 1
    out[split] = {"samples": len(ids), "face_ids": sorted(ids), "sizes": sorted(sizes), "mismatched": mismatched,
                  "shards": len(shards)}
print(json.dumps(out, sort_keys=True))
