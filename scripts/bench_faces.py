#!/usr/bin/env python3
"""Benchmark `curate faces` against facenet-pytorch 2.6.0's MTCNN: face-detection speed.

Two image sets, each reported on its own:
  dataset   SHARED/datasets/facial-expressions-3class/images/*/*.jpg (550, about 350x350),
            labelled by their folder (angry/happy/sad)
  fixtures  SHARED/fixtures/images/* (11 larger photos, up to 2048 px), labelled happy

curate side: a fresh workspace under bench-out/faces/<set>/ws for every repeat;
  curate fetch --workspace WS --pipeline P LIST        (LIST lines: label<TAB>file:///abs/path)
  curate faces --workspace WS --pipeline P --models M  (no `curate dedup`, so every image is
                                                        scanned; identical bytes would be one)
  Time = the seconds curate prints on its `scanned N images in S s` line: the whole stage
  (read + decode + MTCNN + aligned 160x160 crop + PNG write + catalog), without process start
  and model loading; the `process wall` row adds those. curate parallelises across images
  (one image per core, single-threaded BLAS).
reference side, in this process:
  OMP_WAIT_POLICY=PASSIVE unless set (see main()); torch.set_num_threads(T);
  MTCNN(keep_all=True, device='cpu') with its defaults
  (min_face_size=20, thresholds [0.6, 0.7, 0.7], factor 0.709, as Pipelines/emotions.yml);
  per image, timed: Image.open(path).convert('RGB'), then mtcnn.detect(img, landmarks=True).
  Time = the sum over images of decode + detect, so it is comparable with curate's stage
  (which cannot be split); the `detect only` row leaves decode out. One untimed warm-up
  detect on the set's first image comes first (--no-warmup to skip). No crops are made.
Faces: curate keeps faces with p >= min_probability (0.9, read from the pipeline); the
reference count uses the same cut. faces/s = those faces / seconds.
With --repeats N, each side's seconds are its best of N.

Both sides run one after the other, never at once, with T threads (default 2); on a machine
with more than T CPUs this process (and so curate, its child) is pinned to T CPUs.
Only the standard library, numpy, Pillow, torch and facenet_pytorch are needed. Everything
is written under bench-out/ (report: bench-out/faces/report.txt). Without --curate only the
reference side runs. Usually run through scripts/bench-faces.sh, which sets up the venv and
builds curate.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import re
import shlex
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from benchlib import Tee, table_lines

REPO = Path(__file__).resolve().parent.parent
BENCH_OUT = REPO / "bench-out"
SETS = ["dataset", "fixtures"]
SCANNED_RE = re.compile(r"scanned\s+(\d+)\s+images\s+in\s+([\d.]+)\s*s")
FACES_RE = re.compile(r"faces:\s+(\d+)\s+in\s+(\d+)\s+images")

# ---------------------------------------------------------------------------- output


out = print  # replaced by a Tee in main()


def table(headers, rows, align=None, indent="  "):
    """Plain aligned table. align: one 'l' or 'r' per column (default: first two left, rest right)."""
    for line in table_lines(headers, rows, align or "ll" + "r" * (len(headers) - 2), indent):
        out(line)


def inside_bench_out(p: Path) -> Path:
    p = p.resolve()
    if BENCH_OUT.resolve() not in (p, *p.parents):
        sys.exit(f"bench_faces: refusing to write outside bench-out/: {p}")
    return p


def loadavg() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "?"


# ---------------------------------------------------------------------------- data


@dataclass
class Item:
    label: str
    path: Path


@dataclass
class Result:
    side: str
    images: int
    faces: int | None          # p >= min_prob
    with_face: int | None      # images with at least one such face
    seconds: float
    cpu: float | None = None   # user+sys CPU seconds
    note: str = ""

    @property
    def images_per_s(self) -> float:
        return self.images / self.seconds if self.seconds > 0 else 0.0

    @property
    def faces_per_s(self) -> float | None:
        return None if self.faces is None or self.seconds <= 0 else self.faces / self.seconds


def load_set(name: str, shared: Path, limit: int | None) -> list[Item]:
    if name == "dataset":
        root = shared / "datasets" / "facial-expressions-3class" / "images"
        items = [Item(p.parent.name, p) for p in sorted(root.glob("*/*.jpg"))]
    else:
        root = shared / "fixtures" / "images"
        items = [Item("happy", p) for p in sorted(root.iterdir()) if p.is_file()]
    if not items:
        sys.exit(f"bench_faces: no images in {root} (use --shared)")
    return items[:limit] if limit else items


def min_probability(pipeline: Path) -> float:
    """faces.min_probability from the pipeline file (simple scan; 0.9 if absent)."""
    in_faces = False
    for line in pipeline.read_text().splitlines():
        if re.match(r"^\S", line):
            in_faces = line.startswith("faces:")
        elif in_faces:
            m = re.match(r"^\s+min_probability:\s*([\d.]+)", line)
            if m:
                return float(m.group(1))
    return 0.9


# ---------------------------------------------------------------------------- curate


class Curate:
    def __init__(self, binary: Path, pipeline: Path, models: Path, logs: Path):
        self.binary, self.pipeline, self.models, self.logs = binary, pipeline, models, logs
        logs.mkdir(parents=True, exist_ok=True)

    def cmd(self, sub: str, ws: Path, *extra: str) -> list[str]:
        return [str(self.binary), sub, "--workspace", str(ws), "--pipeline", str(self.pipeline), *extra]

    def run(self, name: str, cmd: list[str]) -> tuple[str, float, float]:
        """Run from the repo root; return (stdout+stderr, wall seconds, user+sys CPU seconds)."""
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        p = subprocess.run(cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        wall = time.perf_counter() - t0
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
        log = self.logs / f"{name}.log"
        log.write_text(f"$ {shlex.join(cmd)}\n{p.stdout}\n[exit {p.returncode}, {wall:.3f} s, cpu {cpu:.3f} s]\n")
        if p.returncode != 0:
            tail = "\n".join(p.stdout.splitlines()[-15:])
            sys.exit(f"bench_faces: `{shlex.join(cmd)}` exited {p.returncode} (log: {log})\n{tail}")
        return p.stdout, wall, cpu

    def faces_run(self, ws: Path, list_file: Path, tag: str) -> tuple[int, float, int, int, float, float]:
        """Fresh workspace, fetch, faces.
        Returns (scanned, stage s, faces, with_face, process wall s, process CPU s)."""
        shutil.rmtree(inside_bench_out(ws), ignore_errors=True)
        text, _, _ = self.run(f"{tag}-fetch", self.cmd("fetch", ws, str(list_file)))
        if not re.search(r"failed:\s*0\b", text):
            out(f"  NOTE curate fetch reported failures ({self.logs / (tag + '-fetch.log')})")
        text, wall, cpu = self.run(f"{tag}-faces", self.cmd("faces", ws, "--models", str(self.models)))
        s, f = SCANNED_RE.search(text), FACES_RE.search(text)
        if not s or not f:
            sys.exit(f"bench_faces: cannot parse `curate faces` output:\n{text}")
        if "could not scan" in text:
            out("  NOTE curate could not scan some images: "
                + "; ".join(line.strip() for line in text.splitlines() if "could not scan" in line))
        return int(s.group(1)), float(s.group(2)), int(f.group(1)), int(f.group(2)), wall, cpu


def bench_curate(curate: Curate, name: str, items: list[Item], outdir: Path, repeats: int) -> list[Result]:
    list_file = outdir / "list.tsv"
    list_file.write_text("".join(f"{it.label}\t{it.path.resolve().as_uri()}\n" for it in items))
    runs = []
    for r in range(repeats):
        runs.append(curate.faces_run(outdir / "ws", list_file, f"{name}-r{r + 1}"))
        scanned, secs, faces, withf, wall, cpu = runs[-1]
        out(f"  curate  repeat {r + 1}/{repeats}: scanned {scanned} in {secs:.1f} s (process {wall:.2f} s,"
            f" cpu {cpu:.1f} s);"
            f" faces {faces} in {withf} images; load {loadavg()}")
    scanned = runs[-1][0]
    if scanned != len(items):
        out(f"  NOTE curate scanned {scanned} images, not {len(items)}")
    if len({(r[0], r[2], r[3]) for r in runs}) > 1:
        out("  NOTE curate's counts differ between repeats; the last repeat's are shown")
    _, _, faces, withf, _, _ = runs[-1]
    best_stage = min(r[1] for r in runs)
    best_wall = min(r[4] for r in runs)
    best_cpu = min(r[5] for r in runs)
    return [Result("curate faces (stage)", scanned, faces, withf, best_stage),
            Result("curate faces (process wall)", scanned, faces, withf, best_wall, best_cpu)]


# ---------------------------------------------------------------------------- reference


@dataclass
class Reference:
    threads: int
    torch: object = field(default=None)
    mtcnn: object = field(default=None)
    versions: str = ""

    def load(self):
        import warnings

        import torch
        torch.set_num_threads(self.threads)
        try:
            torch.set_num_interop_threads(self.threads)
        except RuntimeError:
            pass
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")   # facenet-pytorch's torchvision version notice
            from facenet_pytorch import MTCNN
        from importlib.metadata import version
        self.torch = torch
        self.mtcnn = MTCNN(keep_all=True, device="cpu")
        import PIL
        self.versions = (f"torch {torch.__version__} ({torch.get_num_threads()} threads), "
                         f"facenet-pytorch {version('facenet-pytorch')}, torchvision {version('torchvision')}, "
                         f"Pillow {PIL.__version__}")

    def detect(self, path: Path):
        """Returns (decode s, detect s, process CPU s of both, probs list)."""
        from PIL import Image
        c0 = time.process_time()
        t0 = time.perf_counter()
        with Image.open(path) as im:
            img = im.convert("RGB")
        t1 = time.perf_counter()
        boxes, probs, _ = self.mtcnn.detect(img, landmarks=True)
        t2 = time.perf_counter()
        cpu = time.process_time() - c0
        return t1 - t0, t2 - t1, cpu, ([] if boxes is None else [float(p) for p in probs])


def bench_reference(ref: Reference, name: str, items: list[Item], outdir: Path, repeats: int,
                    min_prob: float, warmup: bool) -> list[Result]:
    if warmup:
        ref.detect(items[0].path)
    best_total = best_detect = best_cpu = float("inf")
    per_image = []
    for r in range(repeats):
        total = detect = cpu = 0.0
        per_image = []
        for it in items:
            d, t, c, probs = ref.detect(it.path)
            total += d + t
            detect += t
            cpu += c
            per_image.append((it, probs, d, t))
        best_total, best_detect, best_cpu = min(best_total, total), min(best_detect, detect), min(best_cpu, cpu)
        kept = sum(sum(p >= min_prob for p in probs) for _, probs, _, _ in per_image)
        out(f"  reference repeat {r + 1}/{repeats}: {len(items)} images, decode+detect {total:.1f} s"
            f" (detect {detect:.1f} s, cpu {cpu:.1f} s); faces p>={min_prob:g} {kept}; load {loadavg()}")
    faces = sum(sum(p >= min_prob for p in probs) for _, probs, _, _ in per_image)
    all_faces = sum(len(probs) for _, probs, _, _ in per_image)
    withf = sum(any(p >= min_prob for p in probs) for _, probs, _, _ in per_image)
    with (outdir / "reference.jsonl").open("w") as f:   # last repeat, per image
        for it, probs, d, t in per_image:
            f.write(json.dumps({"path": str(it.path), "label": it.label, "probs": probs,
                                "decode_s": round(d, 5), "detect_s": round(t, 5)}) + "\n")
    note = f"{all_faces} faces at any p"
    return [Result("facenet-pytorch (decode+detect)", len(items), faces, withf, best_total, best_cpu, note),
            Result("facenet-pytorch (detect only)", len(items), faces, withf, best_detect)]


# ---------------------------------------------------------------------------- main


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--curate", type=Path, help="curate binary (without it: reference side only)")
    ap.add_argument("--pipeline", type=Path, default=Path("Pipelines/emotions.yml"))
    ap.add_argument("--models", type=Path, default=Path("Data/models"))
    ap.add_argument("--shared", type=Path, help="the shared directory (default: ../shared or /work/shared)")
    ap.add_argument("--sets", default=",".join(SETS), help="comma-separated: dataset,fixtures")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=1, help="best of N, per side (default 1)")
    ap.add_argument("--limit", type=int, help="only the first N images of each set (quick checks)")
    ap.add_argument("--no-warmup", action="store_true", help="no untimed warm-up detect for torch")
    ap.add_argument("--out", type=Path, default=BENCH_OUT / "faces")
    args = ap.parse_args()
    os.chdir(REPO)

    sets = [s.strip() for s in args.sets.split(",") if s.strip()]
    if bad := [s for s in sets if s not in SETS]:
        sys.exit(f"bench_faces: unknown set(s) {bad}; choose from {SETS}")
    shared = args.shared or next((p for p in (REPO.parent / "shared", Path("/work/shared")) if p.exists()),
                                 REPO.parent / "shared")
    outdir = inside_bench_out(args.out)
    outdir.mkdir(parents=True, exist_ok=True)
    if args.curate and not os.access(args.curate, os.X_OK):
        sys.exit(f"bench_faces: {args.curate} is not an executable")
    pipeline, models = args.pipeline.resolve(), args.models.resolve()
    # libgomp (torch's OpenMP) spin-waits by default; with 2 threads on 2 busy CPUs that made
    # MTCNN 10-18x slower here. PASSIVE keeps the 2 threads but lets them sleep; it must be set
    # before torch is imported. An OMP_WAIT_POLICY already in the environment wins.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    os.environ.setdefault("OMP_NUM_THREADS", str(args.threads))
    min_prob = min_probability(pipeline)

    # At most --threads CPUs for both sides (curate inherits the affinity).
    pinned = ""
    if hasattr(os, "sched_getaffinity"):
        cpus = sorted(os.sched_getaffinity(0))
        if len(cpus) > args.threads:
            os.sched_setaffinity(0, cpus[:args.threads])
            pinned = f"; pinned to CPUs {cpus[:args.threads]}"

    global out
    out = Tee(outdir / "report.txt")
    out("$ " + shlex.join([sys.executable, *sys.argv]))
    ref = Reference(args.threads)
    ref.load()
    out(f"  python {sys.version.split()[0]}, {ref.versions}; {os.cpu_count()} CPUs{pinned};"
        f" threads {args.threads}; OMP_WAIT_POLICY={os.environ['OMP_WAIT_POLICY']};"
        f" repeats {args.repeats} (best of); load {loadavg()}")
    out(f"  curate: {args.curate or '- (reference only)'}; faces kept at p >= {min_prob:g} ({args.pipeline})")
    out("  commands, per set and repeat (the workspace is deleted before each fetch; list lines are"
        " label<TAB>file:///abs/path; run from the repo root):")
    if args.curate:
        c = Curate(args.curate, pipeline, models, outdir / "logs")
        for name in sets:
            ws, lst = outdir / name / "ws", outdir / name / "list.tsv"
            out("    " + shlex.join(c.cmd("fetch", ws, str(lst))))
            out("    " + shlex.join(c.cmd("faces", ws, "--models", str(models))))
    out(f"    python: OMP_WAIT_POLICY={os.environ['OMP_WAIT_POLICY']}; torch.set_num_threads({args.threads}); mtcnn = MTCNN(keep_all=True, device='cpu');"
        " per image, timed: img = Image.open(path).convert('RGB'); mtcnn.detect(img, landmarks=True)"
        + ("" if args.no_warmup else "  [after 1 untimed warm-up detect]"))

    results: dict[str, list[Result]] = {}
    for name in sets:
        items = load_set(name, shared, args.limit)
        sdir = outdir / name
        sdir.mkdir(parents=True, exist_ok=True)
        distinct = len({hashlib.sha256(it.path.read_bytes()).hexdigest() for it in items})
        out("")
        out(f"== {name}: {len(items)} images ({distinct} distinct by bytes) from {items[0].path.parent.parent if name == 'dataset' else items[0].path.parent}")
        rows = []
        if args.curate:
            rows += bench_curate(c, name, items, sdir, args.repeats)
        rows += bench_reference(ref, name, items, sdir, args.repeats, min_prob, not args.no_warmup)
        results[name] = rows

    out("")
    out(f"== summary (faces = faces with p >= {min_prob:g}; ratio = images/s / facenet-pytorch decode+detect"
        " images/s, >1 means faster than the reference)")
    table_rows = []
    for name, rows in results.items():
        base = next(r for r in rows if r.side.startswith("facenet-pytorch (decode"))
        for r in rows:
            fps = r.faces_per_s
            table_rows.append([name, r.side, r.images, "-" if r.faces is None else r.faces,
                               "-" if r.with_face is None else r.with_face, f"{r.seconds:.2f}",
                               f"{r.images_per_s:.2f}", "-" if fps is None else f"{fps:.2f}",
                               f"{r.images_per_s / base.images_per_s:.2f}" if base.images_per_s else "-",
                               "-" if r.cpu is None else f"{r.cpu:.1f}",
                               "-" if not r.cpu else f"{r.images / r.cpu:.2f}",
                               r.note])
    table(["set", "side", "images", "faces", "w/face", "seconds", "images/s", "faces/s", "ratio",
           "cpu s", "img/cpu-s", "note"], table_rows, align="llrrrrrrrrrl")
    for name, rows in results.items():
        cur = next((r for r in rows if r.side == "curate faces (stage)"), None)
        wall = next((r for r in rows if r.side == "curate faces (process wall)"), None)
        base = next(r for r in rows if r.side.startswith("facenet-pytorch (decode"))
        if cur and base.images_per_s and base.faces_per_s:
            line = (f"  {name}: curate/reference = {cur.images_per_s / base.images_per_s:.2f}x images/s,"
                    f" {(cur.faces_per_s or 0) / base.faces_per_s:.2f}x faces/s")
            if wall and wall.cpu and base.cpu:
                line += f", {(wall.images / wall.cpu) / (base.images / base.cpu):.2f}x images per CPU-second"
            out(line)
    out("")
    out("  curate (stage) = read+decode+detect+crop+PNG write+catalog, as curate prints it (0.1 s resolution);"
        " (process wall) adds process start, model load and catalog open.")
    out("  cpu s = user+sys CPU seconds (curate: the whole `curate faces` process; facenet-pytorch:"
        " this process during decode+detect); img/cpu-s depends less on other load than images/s.")
    out("  facenet-pytorch times are sums of per-image times in one warm process; no crops are written.")
    out(f"  load average at the end: {loadavg()} (a busy machine makes these numbers noisy)")
    out(f"  report saved to {(outdir / 'report.txt').relative_to(REPO)}; logs in {(outdir / 'logs').relative_to(REPO)};"
        f" per-image reference results in {outdir.relative_to(REPO)}/<set>/reference.jsonl")


if __name__ == "__main__":
    main()
