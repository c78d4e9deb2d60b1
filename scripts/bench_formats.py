"""Per-format decode + pHash rate: curate (curate-bench hash, pinned to one core) against
Pillow 13 + imagehash 4.3.2 (`imagehash.phash(ImageOps.exif_transpose(Image.open(f)))`, one
process) on the same files, made here from the first N shared photos with Pillow.
Also: how many of curate's pHashes are identical to imagehash's per format, and what EXIF
orientation costs (JPEG tagged 6 against the same JPEG upright).

usage: bench_formats.py --curate-bench BIN [--photos N] [--repeats R] [--out DIR]
"""
import argparse, os, re, shutil, subprocess, sys, time
from pathlib import Path

import imagehash
from PIL import Image, ImageOps

ap = argparse.ArgumentParser()
ap.add_argument("--curate-bench", required=True)
ap.add_argument("--photos", type=int, default=120)
ap.add_argument("--repeats", type=int, default=3)
ap.add_argument("--out", type=Path, default=Path("bench-out/formats"))
args = ap.parse_args()

root = Path(__file__).resolve().parent.parent
photos = sorted((root.parent / "shared/datasets/facial-expressions-3class/images").rglob("*.jpg"))[: args.photos]
if not photos:
    sys.exit("bench-formats: ../shared/datasets/facial-expressions-3class is absent")

FORMATS = {
    "jpeg": lambda im, p: shutil.copy(p[0], p[1]),
    "jpeg-exif6": lambda im, p: im.transpose(Image.Transpose.ROTATE_90).save(p[1], quality=92, exif=exif6()),
    "jpeg-upright": lambda im, p: im.save(p[1], quality=92),
    "cmyk-jpeg": lambda im, p: im.convert("CMYK").save(p[1], quality=92),
    "png": lambda im, p: im.save(p[1]),
    "webp": lambda im, p: im.save(p[1], quality=90),
    "avif": lambda im, p: im.save(p[1], quality=90),
    "gif": lambda im, p: im.quantize(256).save(p[1]),
}
EXT = {"jpeg": "jpg", "jpeg-exif6": "jpg", "jpeg-upright": "jpg", "cmyk-jpeg": "jpg", "png": "png", "webp": "webp", "avif": "avif", "gif": "gif"}


def exif6():
    e = Image.Exif(); e[0x0112] = 6; return e


print(f"Per-format decode + pHash, {len(photos)} shared photos per format "
      f"(Pillow {Image.__version__}, imagehash {imagehash.__version__}; best of {args.repeats}; one core each)")
rows = []
for name, make in FORMATS.items():
    d = args.out / name
    if d.exists(): shutil.rmtree(d)
    d.mkdir(parents=True)
    files = []
    for i, p in enumerate(photos):
        f = d / f"{i:04d}.{EXT[name]}"
        make(Image.open(p).convert("RGB"), (p, f))
        files.append(f)
    py_best, ref = 0.0, {}
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        for f in files:
            ref[f.name] = str(imagehash.phash(ImageOps.exif_transpose(Image.open(f))))
        py_best = max(py_best, len(files) / (time.perf_counter() - t0))
    sw_best = 0.0
    for _ in range(args.repeats):
        out = subprocess.run(["taskset", "-c", "0", args.curate_bench, "hash"] + [str(f) for f in files],
                             capture_output=True, text=True, check=True).stdout
        m = re.search(r"\(([0-9.]+) images/s\)", out)
        sw_best = max(sw_best, float(m.group(1)))
    printed = subprocess.run([args.curate_bench, "hash", "--print"] + [str(f) for f in files],
                             capture_output=True, text=True, check=True).stdout
    same = sum(1 for line in printed.splitlines() if ref[Path(line.split("\t")[0]).name] == line.split("\t")[1])
    rows.append((name, sw_best, py_best, same, len(files)))

print(f"{'format':<13} {'curate img/s':>12} {'Pillow+imagehash':>17} {'ratio':>6} {'pHash identical':>16}")
for name, sw, py, same, n in rows:
    print(f"{name:<13} {sw:>12.0f} {py:>17.0f} {sw / py:>5.2f}x {same:>10}/{n}")
by = {r[0]: r for r in rows}
if "jpeg-exif6" in by and "jpeg-upright" in by:
    cost = by["jpeg-upright"][1] / by["jpeg-exif6"][1] - 1
    print(f"orientation: a JPEG tagged 6 hashes at {by['jpeg-exif6'][1]:.0f}/s against {by['jpeg-upright'][1]:.0f}/s upright "
          f"({cost * 100:+.1f}% time; the rotation is one pass over the pixels)")
