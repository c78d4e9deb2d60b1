"""How each face-quality measurement relates to what the scorer sees: degrades every shared photo
with Pillow by one thing at a time (the face made smaller, blurred, darkened, brightened, pushed
out of the frame), runs curate fetch -> dedup -> faces -> split -> score on each set with the
quality gate off, and prints per level: how many largest faces were still found, the median of
the gate's measurement, and how often the default model's prediction is the one it makes on the
untouched photo. The gate's defaults are read off these tables (README "Face quality gate").

usage: bench_quality.py --curate BIN [--photos N] [--out DIR]
"""
import argparse, csv, json, shutil, statistics, subprocess, sys
from pathlib import Path

from PIL import Image, ImageEnhance, ImageFilter

ROOT = Path(__file__).resolve().parent.parent
DATASET = ROOT.parent / "shared/datasets/facial-expressions-3class"

ap = argparse.ArgumentParser()
ap.add_argument("--curate", required=True)
ap.add_argument("--photos", type=int, default=0, help="first N photos only (default: all)")
ap.add_argument("--out", type=Path, default=ROOT / "bench-out/quality")
args = ap.parse_args()
if not (DATASET / "labels.csv").exists():
    sys.exit("bench-quality: ../shared/datasets/facial-expressions-3class is absent")
rows = list(csv.DictReader(open(DATASET / "labels.csv")))
if args.photos: rows = rows[: args.photos]
shutil.rmtree(args.out, ignore_errors=True)
args.out.mkdir(parents=True)

# The shipped pipeline with every gate check off, so every face is scored.
pipeline = (ROOT / "Pipelines/emotions.yml").read_text()
pipeline = pipeline.replace("faces:\n", "faces:\n  quality: {min_size: 0, min_inside: 0, min_sharpness: 0, min_brightness: 0, max_brightness: 255}\n", 1)
(args.out / "ungated.yml").write_text(pipeline)


def run(name, make):
    """Writes every photo through `make(im, ref) -> im or None`, runs the pipeline, and returns
    {photo: largest face's export row}."""
    d = args.out / name
    (d / "img").mkdir(parents=True)
    with open(d / "list.tsv", "w") as f:
        for r in rows:
            ref = reference.get(r["sha256"]) if name != "original" else None
            if name != "original" and ref is None: continue
            im = make(Image.open(DATASET / r["path"]).convert("RGB"), ref)
            if im is None: continue
            p = d / "img" / (r["sha256"] + ".png")
            im.save(p)
            f.write(f"{r['label']}\t{p.as_uri()}\n")
    common = ["--workspace", str(d / "ws"), "--pipeline", str(args.out / "ungated.yml")]
    models = ["--models", str(ROOT / "Data/models")]
    for step in (["fetch", str(d / "list.tsv")], ["dedup"], ["faces", *models], ["split"], ["score", *models]):
        subprocess.run([args.curate, *step, *common], check=True, capture_output=True)
    out = subprocess.run([args.curate, "export", "--format", "jsonl", *common], check=True, capture_output=True, text=True).stdout
    urls = {}
    for line in open(d / "list.tsv"):
        urls[line.split("\t")[1].strip()] = Path(line.split("\t")[1].strip()).stem
    faces = {}
    for line in out.splitlines():
        f = json.loads(line)
        photo = urls.get(f["url"])
        if photo and f["index"] == 0: faces[photo] = f
    return faces


reference = {}
reference = run("original", lambda im, ref: im)
print(f"bench-quality: {len(rows)} shared photos; largest face found in {len(reference)}; "
      "agreement = the default model's prediction equals its prediction on the untouched photo")


def box(ref):
    x1, y1, x2, y2 = ref["box"]
    return x1, y1, x2, y2, min(x2 - x1, y2 - y1)


def smaller(target):
    def make(im, ref):
        s = target / box(ref)[4]
        if s >= 1: return None
        return im.resize((max(1, round(im.width * s)), max(1, round(im.height * s))), Image.Resampling.LANCZOS)
    return make


def blurred(k):   # Gaussian sigma of k pixels at the 112-px aligned crop's scale
    return lambda im, ref: im.filter(ImageFilter.GaussianBlur(k * box(ref)[4] / 112 * 0.75))


def exposed(f):
    return lambda im, ref: ImageEnhance.Brightness(im).enhance(f)


def cut(keep):    # keep the left `keep` of the face box (and everything left of it)
    def make(im, ref):
        x1, _, x2, _, _ = box(ref)
        right = round(max(1, x1 + keep * (x2 - x1)))
        return im.crop((0, 0, min(im.width, right), im.height)) if right < im.width else None
    return make


EDGES = {"size": [0, 20, 24, 28, 32, 40, 48, 64, 1e9], "sharpness": [0, 10, 20, 30, 50, 80, 120, 200, 1e9],
         "brightness": [0, 20, 30, 40, 50, 70, 150, 170, 190, 210, 230, 256], "inside": [0, 0.5, 0.6, 0.7, 0.8, 0.9, 0.99, 1.01]}
pooled = {m: [] for m in EDGES}
studies = [
    ("size", "size", "face side (px)", [(f"{t}px", smaller(t)) for t in (64, 48, 40, 32, 28, 24, 20)]),
    ("blur", "sharpness", "Gaussian sigma (px at 112)", [(f"{k}", blurred(k)) for k in (0.5, 1, 1.5, 2, 3, 4)]),
    ("dark", "brightness", "brightness factor", [(f"x{f}", exposed(f)) for f in (0.5, 0.35, 0.25, 0.18, 0.12)]),
    ("bright", "brightness", "brightness factor", [(f"x{f}", exposed(f)) for f in (1.5, 2, 2.5, 3, 4)]),
    ("frame", "inside", "face box kept", [(f"{k:.0%}", cut(k)) for k in (0.9, 0.75, 0.6, 0.5, 0.4, 0.3)]),
]
base = {k: statistics.median(f["quality"][k] for f in reference.values()) for k in ("size", "inside", "sharpness", "brightness")}
for name, metric, what, levels in studies:
    print(f"\n{name}: {what}; untouched photos: median {metric} {base[metric]:.2f}")
    print(f"  {'level':>8} {'photos':>7} {'found':>6} {'median ' + metric:>17} {'p10':>8} {'p90':>8} {'agreement':>10}")
    for level, make in levels:
        faces = run(f"{name}-{level}", make)
        n = sum(1 for _ in open(args.out / f"{name}-{level}" / "list.tsv"))
        vals = sorted(f["quality"][metric] for f in faces.values())
        agree = [f["predicted"] == reference[p]["predicted"] for p, f in faces.items() if f["predicted"]]
        pooled[metric] += [(f["quality"][metric], f["predicted"] == reference[p]["predicted"]) for p, f in faces.items() if f["predicted"]]
        if not vals:
            print(f"  {level:>8} {n:>7} {0:>6}"); continue
        q = lambda p: vals[min(len(vals) - 1, int(p * len(vals)))]
        print(f"  {level:>8} {n:>7} {len(faces):>6} {statistics.median(vals):>17.2f} {q(0.1):>8.2f} {q(0.9):>8.2f} "
              f"{sum(agree) / max(1, len(agree)):>10.3f}")

print("\nAgreement by the measured value (every degraded face of the studies above, pooled):")
for metric, edges in EDGES.items():
    pairs = pooled[metric]
    cells = []
    for lo, hi in zip(edges, edges[1:]):
        hit = [a for v, a in pairs if lo <= v < hi]
        if hit: cells.append(f"[{lo:g}, {hi:g}): {sum(hit) / len(hit):.2f} of {len(hit)}".replace("1e+09", "inf"))
    print(f"  {metric}: " + "; ".join(cells))
