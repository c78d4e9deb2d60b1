#!/usr/bin/env python3
"""Leased work on one machine: `curate faces` (and fetch + hash) in 1, 2 and 4 `curate worker`
processes on one catalog, against one plain `curate faces` process on the same photos.

Prints, per worker count: wall seconds, photos/s, CPU-seconds summed over the processes, and
the queue's overhead: (CPU of the workers − CPU of the plain run) per 1,000 photos, and as a
share of the plain run's CPU. The machine has 2 cores, so more than 2 workers cannot run faster;
the per-CPU-second columns are the ones to compare. Catalog: SQLite in the workspace (the
PostgreSQL catalog is not built yet); store: the workspace folder. Not a test: timings are noisy.

Usage: python3 scripts/bench_workers.py --curate .build/release/curate [--photos N] [--workers 1,2,4]
"""
import argparse, csv, os, shutil, subprocess, sys, time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
from benchlib import Tee, children_cpu, table_lines  # noqa: E402

DATASET = ROOT.parent / "shared/datasets/facial-expressions-3class"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--curate", required=True)
    ap.add_argument("--photos", type=int, default=550)
    ap.add_argument("--workers", default="1,2,4")
    ap.add_argument("--shard-size", type=int, default=50, help="items per shard (small, so that every worker gets some)")
    ap.add_argument("--out", default=str(ROOT / "bench-out/workers"))
    args = ap.parse_args()
    if not (DATASET / "labels.csv").exists():
        sys.exit(f"bench-workers: {DATASET} is absent")
    out = Path(args.out)
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    tee = Tee(out / "report.txt")
    rows = list(csv.DictReader(open(DATASET / "labels.csv")))[: args.photos]
    lst = out / "photos.tsv"
    lst.write_text("".join(f"{r['label']}\t{(DATASET / r['path']).as_uri()}\n" for r in rows))
    models = ["--models", str(ROOT / "Data/models")]

    def curate(ws, *a):
        r = subprocess.run([args.curate, *a, "--workspace", str(ws)], capture_output=True, text=True)
        if r.returncode != 0:
            sys.exit(f"curate {' '.join(a)} failed: {r.stderr}")
        return r.stdout

    def timed(fn):
        c0, t0 = children_cpu(), time.time()
        fn()
        return time.time() - t0, children_cpu() - c0

    def workers(ws, n, stages):
        procs = [subprocess.Popen([args.curate, "worker", "--stages", stages, "--until-idle", "--shard-size", str(args.shard_size),
                                   *models, "--workspace", str(ws)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
                 for _ in range(n)]
        for p in procs:
            _, err = p.communicate()
            if p.returncode != 0:
                sys.exit(f"a worker failed ({p.returncode}): {err}")

    # The plain run: one `curate faces` process.
    plain = out / "ws-plain"
    curate(plain, "fetch", str(lst))
    curate(plain, "dedup")
    plain_wall, plain_cpu = timed(lambda: curate(plain, "faces", *models))
    photos = len(rows)
    tee(f"bench-workers: {photos} shared photos, shard size {args.shard_size}, {os.cpu_count()} cores")
    table = [["plain `curate faces`", 1, f"{plain_wall:.1f}", f"{photos / plain_wall:.1f}", f"{plain_cpu:.1f}",
              f"{photos / plain_cpu:.1f}", "", ""]]
    for n in [int(x) for x in args.workers.split(",")]:
        ws = out / f"ws-{n}"
        curate(ws, "fetch", "--enqueue", str(lst))
        workers(ws, n, "fetch,hash")
        curate(ws, "dedup")
        wall, cpu = timed(lambda: workers(ws, n, "faces"))
        overhead = cpu - plain_cpu
        table.append([f"`curate worker --stages faces` × {n}", n, f"{wall:.1f}", f"{photos / wall:.1f}", f"{cpu:.1f}",
                      f"{photos / cpu:.1f}", f"{overhead / photos * 1000:+.1f}", f"{overhead / plain_cpu * 100:+.1f}%"])
    tee("")
    tee("faces (MTCNN + crops + quality) over the same photos:")
    for line in table_lines(["run", "processes", "wall s", "photos/s", "CPU-s", "photos/CPU-s",
                             "overhead CPU-s / 1,000 photos", "overhead / plain CPU"], table, "lrrrrrrr"):
        tee(line)
    tee("(overhead includes each worker's start-up and model loading, and the queue's catalog work)")
    tee(f"report: {out / 'report.txt'}")


if __name__ == "__main__":
    main()
