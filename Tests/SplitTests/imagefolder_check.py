#!/usr/bin/env python3
"""Reads a `curate export --format imagefolder` folder the way torchvision's ImageFolder does
(classes = sorted sub-folders of each split, samples = files with an image extension, walked
in sorted order, class index = position in the sorted class list), opens every sample with
PIL, and checks it against manifest.csv. Prints a JSON summary; exits 1 on any mismatch.

Usage: imagefolder_check.py EXPORT_DIR [--size 160]
"""
import argparse, csv, json, os, sys
from PIL import Image

IMG_EXTENSIONS = (".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp")


def image_folder(root):
    """(classes, samples) as torchvision.datasets.ImageFolder finds them."""
    classes = sorted(e.name for e in os.scandir(root) if e.is_dir())
    if not classes:
        raise SystemExit(f"{root}: no class folders")
    samples = []
    for index, name in enumerate(classes):
        for dirpath, _, files in sorted(os.walk(os.path.join(root, name), followlinks=True)):
            for f in sorted(files):
                if f.lower().endswith(IMG_EXTENSIONS):
                    samples.append((os.path.join(dirpath, f), index))
    return classes, samples


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("export")
    ap.add_argument("--size", type=int, default=160)
    args = ap.parse_args()
    problems = []
    with open(os.path.join(args.export, "manifest.csv"), newline="") as f:
        manifest = {row["path"]: row for row in csv.DictReader(f)}
    seen, summary = set(), {}
    for split in sorted(e.name for e in os.scandir(args.export) if e.is_dir()):
        classes, samples = image_folder(os.path.join(args.export, split))
        counts = {c: 0 for c in classes}
        for path, index in samples:
            rel = os.path.relpath(path, args.export)
            seen.add(rel)
            row = manifest.get(rel)
            if row is None:
                problems.append(f"{rel}: not in manifest.csv")
                continue
            if row["split"] != split or row["label"] != classes[index]:
                problems.append(f"{rel}: manifest says {row['split']}/{row['label']}")
            with Image.open(path) as im:
                im = im.convert("RGB")  # what ImageFolder's default loader does
                if im.size != (args.size, args.size):
                    problems.append(f"{rel}: size {im.size}")
            counts[classes[index]] += 1
        summary[split] = counts
    for rel in sorted(set(manifest) - seen):
        problems.append(f"{rel}: in manifest.csv but not found by ImageFolder")
    print(json.dumps({"splits": summary, "samples": len(seen), "problems": problems[:20]}, sort_keys=True))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
