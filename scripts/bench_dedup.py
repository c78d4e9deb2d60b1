#!/usr/bin/env python3
"""Benchmark `curate dedup` against Python imagehash 4.3.2 on the shared face dataset.

One run does three things and prints plain aligned tables (also saved to
bench-out/dedup/report.txt):

a. Near duplicates. The 550 originals of facial-expressions-3class (bytes copied exactly)
   plus 5 Pillow-made copies of each (resize 50 % LANCZOS, JPEG q30, 5 % border crop,
   brightness +15 %, grayscale) are fetched into a fresh curate workspace, deduplicated at
   --threshold and exported as JSONL. Ground truth: two images are a true pair iff they
   derive from the same original. Per transform: recall of (original, copy) pairs by pHash
   distance <= T and by shared cluster; overall precision over all image pairs; a threshold
   sweep; and the cross-original pairs within T, for a human to judge (the dataset may hold
   the same photo twice).
b. Agreement. imagehash.phash/dhash (venv Pillow) of every written file against curate's
   exported hashes, by sha256; and of the originals against the shared reference fixture
   (a check of the venv itself).
c. Speed on the same 550 original files: curate dedup (fresh workspace each repeat; the
   rate it prints on its `hashed ...` line), imagehash phash (open+decode+hash), imagededup
   PHash (if installed), bare Pillow decode, and `curate-bench decode` (if given).

Only the standard library, numpy, Pillow and imagehash are required (imagededup is
optional). Everything is written under bench-out/. Without --curate, the parts that need
the Swift binary are skipped, which is useful for checking the Python side alone.

Usually run through scripts/bench-dedup.sh, which sets up the venv and builds curate.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import logging
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from benchlib import Tee, table_lines

REPO = Path(__file__).resolve().parent.parent
BENCH_OUT = REPO / "bench-out"
TRANSFORMS = ["resize50", "jpeg30", "crop5", "bright15", "gray"]
SWEEP = [4, 6, 8, 10, 12, 14, 16]
HASHED_RE = re.compile(r"\(\s*([\d.,]+)\s*images/s\)")
DECODED_RE = HASHED_RE

# Libraries that cache on first import (matplotlib via imagededup, torch) must stay in bench-out/.
os.environ.setdefault("MPLCONFIGDIR", str(BENCH_OUT / "dedup" / "cache" / "matplotlib"))
os.environ.setdefault("XDG_CACHE_HOME", str(BENCH_OUT / "dedup" / "cache"))
os.environ.setdefault("TORCH_HOME", str(BENCH_OUT / "dedup" / "cache" / "torch"))

import numpy as np  # noqa: E402
import imagehash  # noqa: E402
import PIL  # noqa: E402
from PIL import Image, ImageEnhance  # noqa: E402


# ---------------------------------------------------------------------------- data model


@dataclass
class Original:
    idx: int
    rel: str  # path under the dataset, e.g. images/angry/Al_Gore_0002.jpg
    label: str
    sha256: str
    src: Path


@dataclass
class Written:
    """One file this script wrote: an original's copy or a transformed copy."""

    path: Path
    orig: int
    transform: str  # "orig" or one of TRANSFORMS
    sha256: str


@dataclass
class Image_:
    """One distinct image (distinct bytes) as curate sees it."""

    sha256: str
    files: list = field(default_factory=list)  # Written
    phash: str | None = None
    dhash: str | None = None
    cluster: int | None = None
    canonical: bool | None = None


# ---------------------------------------------------------------------------- output


out = print  # replaced by a Tee in main()


def table(headers, rows, align=None, indent="  "):
    """Plain aligned table. align: one 'l' or 'r' per column (default: first left, rest right)."""
    for line in table_lines(headers, rows, align or "l" + "r" * (len(headers) - 1), indent):
        out(line)


def pct(num, den):
    return "n/a" if den == 0 else f"{100.0 * num / den:.1f}%"


def section(title):
    out("")
    out(title)
    out("=" * len(title))


# ---------------------------------------------------------------------------- helpers


def sha256_bytes(b: bytes) -> str:
    return hashlib.sha256(b).hexdigest()


def bits(hex_a: str, hex_b: str) -> int:
    return bin(int(hex_a, 16) ^ int(hex_b, 16)).count("1")


def inside_bench_out(p: Path) -> Path:
    p = p.resolve()
    if p != BENCH_OUT.resolve() and BENCH_OUT.resolve() not in p.parents:
        sys.exit(f"bench_dedup: refusing to write outside {BENCH_OUT}: {p}")
    return p


def load_dataset(dataset: Path) -> list[Original]:
    """Read labels.csv and check every file's sha256 against it."""
    originals = []
    with (dataset / "labels.csv").open(newline="") as f:
        for i, row in enumerate(csv.DictReader(f)):
            src = dataset / row["path"]
            digest = sha256_bytes(src.read_bytes())
            if digest != row["sha256"]:
                sys.exit(f"bench_dedup: {src}: sha256 {digest} does not match labels.csv")
            originals.append(Original(i, row["path"], row["label"], row["sha256"], src))
    return originals


def jpeg(img: Image.Image, quality: int) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def transform(img: Image.Image, name: str) -> bytes:
    """The 5 near-duplicate transforms; every result is a JPEG."""
    if img.mode not in ("L", "RGB"):
        img = img.convert("RGB")
    w, h = img.size
    if name == "resize50":
        return jpeg(img.resize((max(1, round(w / 2)), max(1, round(h / 2))), Image.LANCZOS), 95)
    if name == "jpeg30":
        return jpeg(img, 30)
    if name == "crop5":
        dx, dy = round(0.05 * w), round(0.05 * h)
        return jpeg(img.crop((dx, dy, w - dx, h - dy)), 95)
    if name == "bright15":
        return jpeg(ImageEnhance.Brightness(img).enhance(1.15), 95)
    if name == "gray":
        return jpeg(img.convert("L"), 95)
    raise ValueError(name)


def write_data(originals: list[Original], data_dir: Path) -> list[Written]:
    """data/<transform>/<label>/<name>.jpg for the originals (exact bytes) and every copy."""
    shutil.rmtree(data_dir, ignore_errors=True)
    written = []
    for o in originals:
        raw = o.src.read_bytes()
        name = Path(o.rel).name
        dst = data_dir / "orig" / o.label / name
        dst.parent.mkdir(parents=True, exist_ok=True)
        dst.write_bytes(raw)
        written.append(Written(dst, o.idx, "orig", sha256_bytes(raw)))
        with Image.open(io.BytesIO(raw)) as img:
            img.load()
            for t in TRANSFORMS:
                b = transform(img, t)
                dst = data_dir / t / o.label / (Path(name).stem + ".jpg")
                dst.parent.mkdir(parents=True, exist_ok=True)
                dst.write_bytes(b)
                written.append(Written(dst, o.idx, t, sha256_bytes(b)))
    return written


def write_list(files: list[Written], originals: list[Original], path: Path) -> None:
    with path.open("w") as f:
        for w in files:
            f.write(f"{originals[w.orig].label}\t{w.path.resolve().as_uri()}\n")


# ---------------------------------------------------------------------------- curate


class Curate:
    def __init__(self, binary: Path, pipeline: Path, logs: Path):
        self.binary, self.pipeline, self.logs = binary, pipeline, logs
        logs.mkdir(parents=True, exist_ok=True)

    def run(self, name: str, *args: str) -> tuple[str, float]:
        """Run one curate command from the repo root; return (stdout+stderr, wall seconds)."""
        cmd = [str(self.binary), *args, "--pipeline", str(self.pipeline)]
        t0 = time.perf_counter()
        p = subprocess.run(cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        wall = time.perf_counter() - t0
        log = self.logs / f"{name}.log"
        log.write_text(f"$ {shlex.join(cmd)}\n{p.stdout}\n[exit {p.returncode}, {wall:.3f} s]\n")
        if p.returncode != 0:
            tail = "\n".join(p.stdout.splitlines()[-15:])
            sys.exit(f"bench_dedup: `{shlex.join(cmd)}` exited {p.returncode} (log: {log})\n{tail}")
        return p.stdout, wall

    def fetch_dedup(self, ws: Path, list_file: Path, threshold: int, tag: str):
        """Fresh workspace: fetch the list, dedup; return (dedup output, dedup wall seconds)."""
        shutil.rmtree(inside_bench_out(ws), ignore_errors=True)
        self.run(f"{tag}-fetch", "fetch", "--workspace", str(ws), str(list_file))
        return self.run(f"{tag}-dedup", "dedup", "--workspace", str(ws), "--threshold", str(threshold))

    def export(self, ws: Path, dst: Path, tag: str) -> list[dict]:
        self.run(f"{tag}-export", "export", "--workspace", str(ws), "--level", "image",
                 "--format", "jsonl", "--out", str(dst))
        return [json.loads(line) for line in dst.read_text().splitlines() if line.strip()]


def parse_hashed(text: str) -> tuple[float | None, str | None]:
    """The images/s on the last line starting with `hashed`, and that line."""
    for line in reversed(text.splitlines()):
        if line.strip().startswith("hashed"):
            m = HASHED_RE.search(line)
            return (float(m.group(1).replace(",", "")) if m else None), line.strip()
    return None, None


def join_export(written: list[Written], records: list[dict]) -> tuple[list[Image_], list[str]]:
    """Distinct images (by sha256) with their written files and curate's fields."""
    by_sha = {r["sha256"]: r for r in records}
    images: dict[str, Image_] = {}
    for w in written:
        images.setdefault(w.sha256, Image_(w.sha256)).files.append(w)
    problems = []
    for img in images.values():
        r = by_sha.get(img.sha256)
        if r is None:
            problems.append(f"not exported: {img.files[0].path}")
            continue
        img.phash, img.dhash = r.get("phash"), r.get("dhash")
        img.cluster, img.canonical = r.get("cluster"), r.get("canonical")
        if not img.phash:
            problems.append(f"no phash: {img.files[0].path}")
    extra = set(by_sha) - set(images)
    if extra:
        problems.append(f"{len(extra)} exported images that this script did not write")
    return list(images.values()), problems


# ---------------------------------------------------------------------------- a. near duplicates


def hamming_matrix(hexes: list[str]) -> np.ndarray:
    """All-pairs Hamming distance of 64-bit hashes given as 16-digit hex strings."""
    b = np.frombuffer(b"".join(bytes.fromhex(h) for h in hexes), dtype=np.uint8).reshape(-1, 8)
    x = np.unpackbits(b, axis=1).astype(np.float32)
    d = x @ (1 - x).T + (1 - x) @ x.T
    return np.rint(d).astype(np.int16)


def near_duplicates(originals, written, images: list[Image_], threshold: int, outdir: Path):
    section(f"a. Near duplicates at threshold T={threshold} (pHash Hamming distance <= T)")
    images = [im for im in images if im.phash]
    n = len(images)
    index = {im.sha256: i for i, im in enumerate(images)}
    at = {}  # (orig, transform) -> image index
    for w in written:
        if w.sha256 in index:
            at[(w.orig, w.transform)] = index[w.sha256]
    shared = [im for im in images if len({f.orig for f in im.files}) > 1]
    out(f"  {len(written)} files written, {n} distinct images hashed by curate"
        f" ({len(written) - sum(len(im.files) for im in images)} files missing from the export)")
    if shared:
        out(f"  {len(shared)} images have bytes shared by files of different originals:")
        for im in shared:
            out("    " + ", ".join(f"{originals[f.orig].rel}[{f.transform}]" for f in im.files))

    D = hamming_matrix([im.phash for im in images])
    G = np.zeros((n, len(originals)), dtype=np.float32)
    for i, im in enumerate(images):
        for f in im.files:
            G[i, f.orig] = 1
    S = (G @ G.T) > 0  # true pair: share an original
    iu = np.triu_indices(n, 1)
    d_pairs, s_pairs = D[iu], S[iu]
    n_true = int(s_pairs.sum())
    clusters = np.array([-1 if im.cluster is None else im.cluster for im in images])
    c_pairs = (clusters[iu[0]] == clusters[iu[1]]) & (clusters[iu[0]] >= 0)

    def pair_stats(t, T):
        hit = same = total = 0
        for o in range(len(originals)):
            a, b = at.get((o, "orig")), at.get((o, t))
            if a is None or b is None:
                continue
            total += 1
            hit += int(D[a, b] <= T)
            same += int(a == b or (clusters[a] >= 0 and clusters[a] == clusters[b]))
        return hit, same, total

    rows = []
    for t in TRANSFORMS:
        hit, same, total = pair_stats(t, threshold)
        dists = [int(D[at[(o, "orig")], at[(o, t)]]) for o in range(len(originals))
                 if (o, "orig") in at and (o, t) in at]
        rows.append([t, total, pct(hit, total), pct(same, total),
                     f"{np.median(dists):.0f}" if dists else "-",
                     f"{np.percentile(dists, 95):.0f}" if dists else "-",
                     max(dists) if dists else "-"])
    out("")
    out("  (original, transformed copy) pairs:")
    table(["transform", "pairs", "recall d<=T", "same cluster", "median d", "p95 d", "max d"], rows)

    sel = d_pairs <= threshold
    tp, pos = int((sel & s_pairs).sum()), int(sel.sum())
    ctp, cpos = int((c_pairs & s_pairs).sum()), int(c_pairs.sum())
    out("")
    out(f"  all {len(d_pairs):,} image pairs; {n_true:,} true pairs (same original)")
    table(["decision", "pairs flagged", "true", "precision", "recall (all true pairs)"], [
        [f"pHash d<={threshold}", f"{pos:,}", f"{tp:,}", pct(tp, pos), pct(tp, n_true)],
        ["same curate cluster", f"{cpos:,}", f"{ctp:,}", pct(ctp, cpos), pct(ctp, n_true)],
    ])
    n_clusters = len(set(clusters[clusters >= 0].tolist()))
    canon = sum(1 for im in images if im.canonical)
    out(f"  curate: {n_clusters} clusters, {int((clusters >= 0).sum())} images in clusters,"
        f" {canon} canonical images, {sum(1 for im in images if im.cluster is None)} with cluster=null")

    out("")
    out("  Threshold sweep (recall of (original, copy) pairs by d<=T; precision over all pairs):")
    rows = []
    for T in SWEEP:
        r = [f"T={T}" + (" *" if T == threshold else "")]
        for t in TRANSFORMS:
            hit, _, total = pair_stats(t, T)
            r.append(pct(hit, total))
        s = d_pairs <= T
        tpT, posT = int((s & s_pairs).sum()), int(s.sum())
        r += [pct(tpT, posT), f"{posT - tpT:,}", pct(tpT, n_true)]
        rows.append(r)
    table(["T"] + TRANSFORMS + ["precision", "false pairs", "recall all"], rows)

    cross_original_pairs(originals, images, at, D, S, clusters, threshold, outdir)


def cross_original_pairs(originals, images, at, D, S, clusters, threshold, outdir: Path):
    """Pairs of different originals with some copies within T, grouped by original pair."""
    n = len(images)
    iu = np.triu_indices(n, 1)
    fp = (D[iu] <= threshold) & ~S[iu]
    groups = defaultdict(list)  # (orig a, orig b) -> distances
    for i, j in zip(iu[0][fp], iu[1][fp]):
        a, b = images[i].files[0].orig, images[j].files[0].orig
        groups[(min(a, b), max(a, b))].append(int(D[i, j]))

    def orig_d(a, b):
        ia, ib = at.get((a, "orig")), at.get((b, "orig"))
        return None if ia is None or ib is None else int(D[ia, ib])

    def same_cluster(a, b):
        ia, ib = at.get((a, "orig")), at.get((b, "orig"))
        return ia is not None and ib is not None and clusters[ia] >= 0 and clusters[ia] == clusters[ib]

    rows = []
    for (a, b), ds in groups.items():
        od = orig_d(a, b)
        rows.append((od if od is not None else 99, min(ds), -len(ds), a, b))
    rows.sort()
    tsv = outdir / "cross_original_pairs.tsv"
    with tsv.open("w") as f:
        f.write("original_a\tlabel_a\toriginal_b\tlabel_b\td_originals\tmin_d_copies\tcopy_pairs_within_T\t"
                "originals_same_cluster\n")
        for od, md, negc, a, b in rows:
            f.write(f"{originals[a].rel}\t{originals[a].label}\t{originals[b].rel}\t{originals[b].label}\t"
                    f"{od}\t{md}\t{-negc}\t{same_cluster(a, b)}\n")

    direct = [r for r in rows if r[0] <= threshold]
    out("")
    out(f"  Cross-original pairs: {len(rows)} pairs of different originals have copies within T={threshold}"
        f" ({sum(-r[2] for r in rows):,} image pairs); full list: {tsv.relative_to(REPO)}")
    out(f"  Originals within T of each other ({len(direct)}; possibly the same photo twice - judge by eye):")
    if direct:
        table(["original A", "original B", "d", "copy pairs <=T", "same cluster"], align="llrrr", rows=
              [[f"{originals[a].rel} ({originals[a].label})", f"{originals[b].rel} ({originals[b].label})",
                od, -negc, "yes" if same_cluster(a, b) else "no"] for od, md, negc, a, b in direct])
    others = [r for r in rows if r[0] > threshold]
    if others:
        out(f"  Other original pairs matched only through copies (closest 15 of {len(others)}):")
        table(["original A", "original B", "d originals", "min d copies", "copy pairs <=T"], align="llrrr", rows=
              [[originals[a].rel, originals[b].rel, od, md, -negc] for od, md, negc, a, b in
               sorted(others, key=lambda r: (r[1], r[2]))[:15]])


# ---------------------------------------------------------------------------- b. agreement


def python_hashes(paths: list[Path]) -> dict[Path, tuple[str, str]]:
    res = {}
    for p in paths:
        with Image.open(p) as img:
            res[p] = (str(imagehash.phash(img)), str(imagehash.dhash(img)))
    return res


def agreement(originals, written, curate_by_sha: dict | None, reference: Path | None):
    section("b. Hash agreement with imagehash " + imagehash.__version__ + f" (Pillow {PIL.__version__})")
    py = python_hashes([w.path for w in written])

    if reference and reference.exists():
        ref = json.loads(reference.read_text())["by_sha256"]
        ok_p = ok_d = missing = 0
        bad = []
        for w in written:
            if w.transform != "orig":
                continue
            r = ref.get(w.sha256)
            if r is None:
                missing += 1
                continue
            p, d = py[w.path]
            ok_p += p == r["phash"]
            ok_d += d == r["dhash"]
            if p != r["phash"] or d != r["dhash"]:
                bad.append(w.path.name)
        n = len(originals) - missing
        out(f"  venv vs {reference.name}: phash identical {ok_p}/{n}, dhash identical {ok_d}/{n}"
            + (f", {missing} not in the fixture" if missing else "")
            + (f"; differ: {', '.join(bad[:10])}" if bad else ""))
    else:
        out(f"  reference fixture not found ({reference}); skipped")

    if curate_by_sha is None:
        out("  curate hashes: not available (no --curate); skipped")
        return
    rows, hist_p, hist_d = [], Counter(), Counter()
    worst = []
    for t in ["orig"] + TRANSFORMS:
        files = [w for w in written if w.transform == t and w.sha256 in curate_by_sha]
        if not files:
            continue
        dp = [bits(py[w.path][0], curate_by_sha[w.sha256]["phash"]) for w in files]
        dd = [bits(py[w.path][1], curate_by_sha[w.sha256]["dhash"]) for w in files]
        if t == "orig":
            hist_p.update(dp)
            hist_d.update(dd)
        worst += [(x, "phash", w) for x, w in zip(dp, files) if x] + [(x, "dhash", w) for x, w in zip(dd, files) if x]
        rows.append([t, len(files), pct(dp.count(0), len(dp)), max(dp), pct(dd.count(0), len(dd)), max(dd)])
    out("  curate vs imagehash (venv), by sha256:")
    table(["files", "n", "phash identical", "max bits", "dhash identical", "max bits"], rows)
    out("  bit-difference histogram on the 550 originals (bits: count):")
    out("    phash  " + "  ".join(f"{k}:{hist_p[k]}" for k in sorted(hist_p)))
    out("    dhash  " + "  ".join(f"{k}:{hist_d[k]}" for k in sorted(hist_d)))
    if worst:
        worst.sort(key=lambda r: -r[0])
        out("  largest differences: " + ", ".join(f"{w.transform}/{w.path.name} {k} {x}" for x, k, w in worst[:8]))


# ---------------------------------------------------------------------------- c. speed


def best_time(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def measure_speed(args, curate: Curate | None, files: list[Written], originals, outdir: Path):
    """Time every tool; return (rows, notes, curate export of the originals-only workspace)."""
    notes = []
    paths = [w.path for w in files]
    for p in paths:  # warm the page cache for everyone
        p.read_bytes()
    n = len(paths)
    rows = []  # (tool, what, seconds or None, rate or None, note)
    export = None

    if curate:
        list_file = outdir / "originals.tsv"
        write_list(files, originals, list_file)
        ws = outdir / "ws-speed"
        parsed, walls = [], []  # (images/s, its line) per repeat
        for r in range(args.repeats):
            text, wall = curate.fetch_dedup(ws, list_file, args.threshold, f"speed{r + 1}")
            rate, line = parse_hashed(text)
            walls.append(wall)
            if rate is not None:
                parsed.append((rate, line))
        if parsed:
            rate, line = max(parsed)
            m = re.match(r"hashed\s+([\d,]+)", line)
            if m and int(m.group(1).replace(",", "")) != n:
                notes.append(f"WARNING: curate dedup hashed {m.group(1)} images, not {n}: {line}")
            rows.append(("curate dedup", "its `hashed` line", n / rate, rate, line))
        else:
            notes.append(f"WARNING: no `hashed ... (<r> images/s)` line in curate dedup's output; see {curate.logs}")
        rows.append(("curate dedup", "wall clock, whole process", min(walls), n / min(walls),
                     "start-up, catalog, clustering included"))
        export = curate.export(ws, outdir / "export-originals.jsonl", "speed")
    else:
        notes.append("curate: not available (no --curate); skipped")

    def ih_phash():
        for p in paths:
            imagehash.phash(Image.open(p))

    def ih_both():
        for p in paths:
            img = Image.open(p)
            imagehash.phash(img)
            imagehash.dhash(img)

    def pil_load():
        for p in paths:
            Image.open(p).load()

    def pil_rgb():
        for p in paths:
            Image.open(p).convert("RGB")

    t = best_time(ih_phash, args.repeats)
    rows.append(("imagehash", "phash(Image.open(f))", t, n / t, "open+decode+hash, 1 thread"))
    t = best_time(ih_both, args.repeats)
    rows.append(("imagehash", "phash + dhash", t, n / t, "curate's work; 1 thread"))

    try:
        from imagededup.methods import PHash
    except Exception as e:  # optional
        notes.append(f"imagededup: not installed ({type(e).__name__}); skipped")
    else:
        for name in list(logging.root.manager.loggerDict):
            if name.startswith("imagededup"):
                logging.getLogger(name).setLevel(logging.WARNING)
        enc = PHash(verbose=False)
        t = best_time(lambda: [enc.encode_image(image_file=p) for p in paths], args.repeats)
        rows.append(("imagededup", "PHash.encode_image loop", t, n / t, "1 process"))
        workers = os.cpu_count() or 1
        t = best_time(lambda: enc.encode_images(image_dir=outdir / "data" / "orig", recursive=True,
                                                num_enc_workers=workers), args.repeats)
        rows.append(("imagededup", "PHash.encode_images(dir)", t, n / t, f"{workers} worker processes"))

    t = best_time(pil_load, args.repeats)
    rows.append(("Pillow", "Image.open(f).load()", t, n / t, "bare decode, native mode"))
    t = best_time(pil_rgb, args.repeats)
    rows.append(("Pillow", "Image.open(f).convert('RGB')", t, n / t, "decode to RGB"))

    if args.curate_bench:
        rates = []
        for r in range(args.repeats):
            cmd = [str(args.curate_bench), "decode", *map(str, paths)]
            p = subprocess.run(cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            (outdir / "logs" / f"curate-bench{r + 1}.log").write_text(p.stdout)
            m = DECODED_RE.search(p.stdout)
            if p.returncode == 0 and m:
                rates.append(float(m.group(1).replace(",", "")))
        if rates:
            rows.append(("curate-bench", "decode (libjpeg-turbo, RGB)", n / max(rates), max(rates), "decode limit; every core"))
        else:
            notes.append(f"curate-bench decode: no `(<r> images/s)` in its output; see {outdir / 'logs'}")
    else:
        notes.append("curate-bench: not given; decode-limit line skipped")

    return rows, notes, export


def report_speed(args, n: int, rows, notes):
    section(f"c. Speed on the same {n} original files (best of {args.repeats})")
    for note in notes:
        out("  " + note)
    ih = next(r[3] for r in rows if r[0] == "imagehash")
    table(["tool", "what", "seconds", "images/s", "x imagehash", "note"], align="llrrrl", rows=
          [[tool, what, f"{s:.3f}", f"{rate:,.0f}", f"{rate / ih:.2f}", note] for tool, what, s, rate, note in rows])
    cur = [r for r in rows if r[0] == "curate dedup"]
    if cur:
        out(f"  ratio curate dedup / imagehash phash (images/s): {cur[0][3] / ih:.2f}x"
            f"  [{cur[0][1]}; curate may use all {os.cpu_count()} cores, Python loops use one]")


# ---------------------------------------------------------------------------- main


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--curate", type=Path, help="curate binary (without it: Python-only parts)")
    ap.add_argument("--curate-bench", type=Path, help="curate-bench binary, for the decode-limit line")
    ap.add_argument("--threshold", type=int, default=10, help="pHash Hamming threshold (default 10)")
    ap.add_argument("--repeats", type=int, default=3, help="timing repeats, best kept (default 3)")
    ap.add_argument("--shared", type=Path, default=None,
                    help="shared data dir (default: ../shared from the repo root, else /work/shared)")
    ap.add_argument("--out", type=Path, default=BENCH_OUT / "dedup", help="output dir under bench-out/")
    ap.add_argument("--pipeline", type=Path, default=REPO / "Pipelines" / "emotions.yml")
    ap.add_argument("--skip", action="append", default=[], choices=["near", "agree", "speed"],
                    help="skip a part (repeatable)")
    args = ap.parse_args()

    shared = args.shared or next((p for p in (REPO.parent / "shared", Path("/work/shared")) if p.exists()),
                                 REPO.parent / "shared")
    dataset = shared / "datasets" / "facial-expressions-3class"
    reference = shared / "fixtures" / "imagehash-reference.json"
    if not (dataset / "labels.csv").exists():
        sys.exit(f"bench_dedup: {dataset}/labels.csv is missing (use --shared)")
    outdir = inside_bench_out(args.out)
    outdir.mkdir(parents=True, exist_ok=True)
    for p in (args.curate, args.curate_bench):
        if p and not os.access(p, os.X_OK):
            sys.exit(f"bench_dedup: {p} is not an executable")

    global out
    out = Tee(outdir / "report.txt")
    out("$ " + shlex.join([sys.executable, *sys.argv]))
    out(f"  python {sys.version.split()[0]}, Pillow {PIL.__version__}, imagehash {imagehash.__version__},"
        f" numpy {np.__version__}; {os.cpu_count()} CPUs; threshold {args.threshold}; repeats {args.repeats}")
    out(f"  curate: {args.curate or '-'}; curate-bench: {args.curate_bench or '-'}; dataset: {dataset}")

    originals = load_dataset(dataset)
    t0 = time.perf_counter()
    written = write_data(originals, outdir / "data")
    modes = Counter()
    for o in originals:
        with Image.open(o.src) as im:
            modes[im.mode] += 1
    out(f"  wrote {len(written)} files ({len(originals)} originals x (1 + {len(TRANSFORMS)}))"
        f" to {(outdir / 'data').relative_to(REPO)} in {time.perf_counter() - t0:.1f} s;"
        f" originals by mode: {dict(modes)}")
    dup_bytes = len(written) - len({w.sha256 for w in written})
    if dup_bytes:
        out(f"  note: {dup_bytes} written files repeat the bytes of another written file")

    curate = Curate(args.curate.resolve(), args.pipeline.resolve(), outdir / "logs") if args.curate else None
    orig_files = [w for w in written if w.transform == "orig"]

    near_export = None
    if "near" in args.skip:
        pass
    elif curate:
        list_file = outdir / "near-dup.tsv"
        write_list(written, originals, list_file)
        text, wall = curate.fetch_dedup(outdir / "ws", list_file, args.threshold, "near")
        near_export = curate.export(outdir / "ws", outdir / "export.jsonl", "near")
        images, problems = join_export(written, near_export)
        for pr in problems[:10]:
            out("  WARNING: " + pr)
        near_duplicates(originals, written, images, args.threshold, outdir)
    else:
        section("a. Near duplicates")
        out("  skipped: needs --curate")

    speed_rows = speed_export = None
    if "speed" not in args.skip:
        speed_rows, speed_notes, speed_export = measure_speed(args, curate, orig_files, originals, outdir)

    if "agree" not in args.skip:
        by_sha = None
        if near_export is not None or speed_export is not None:
            by_sha = {r["sha256"]: r for r in (near_export or [])}
            by_sha.update({r["sha256"]: r for r in (speed_export or [])})
            if near_export is not None and speed_export is not None:
                a = {r["sha256"]: (r["phash"], r["dhash"]) for r in near_export}
                diff = sum(1 for r in speed_export if a.get(r["sha256"], (r["phash"], r["dhash"]))
                           != (r["phash"], r["dhash"]))
                if diff:
                    out(f"  WARNING: {diff} originals hashed differently by the two curate runs")
        agreement(originals, written, by_sha, reference)

    if speed_rows is not None:
        report_speed(args, len(orig_files), speed_rows, speed_notes)

    out("")
    out(f"report saved to {(outdir / 'report.txt').relative_to(REPO)}")


if __name__ == "__main__":
    main()
