#!/usr/bin/env python3
"""Mislabel-finding evaluation and scoring speed for `curate score` / `curate train`.

On ../shared/datasets/facial-expressions-3class: flip 10% of the labels at random (fixed seed)
in the URL list, run fetch -> dedup -> faces -> split -> score (default model), then train and
score --model trained, and print for each: accuracy over the 3 classes against the ORIGINAL
labels, AUROC of the mislabel score (1 - self-confidence, and 1 - normalized margin) for finding
the flipped faces, and precision@20 of the review order (flagged first, then lowest
self-confidence). Then the classifier's speed: `curate score` re-running the network on every
face (decode PNG crop, grayscale, resize, network, catalog write) against Keras (tensorflow-cpu)
running the same .hdf5 on the same crops at batch 64, 2 threads each.
"""
import argparse, csv, json, os, random, resource, shutil, sqlite3, subprocess, sys, time
from pathlib import Path

from benchlib import Tee, table_lines

ROOT = Path(__file__).resolve().parent.parent
DATASET = ROOT.parent / "shared/datasets/facial-expressions-3class"
LABELS = ["angry", "happy", "sad"]


def auroc(scores, positives):
    """Probability that a random positive outranks a random negative (ties count half)."""
    pairs = sorted(zip(scores, positives))
    ranks, i = [0.0] * len(pairs), 0
    while i < len(pairs):
        j = i
        while j + 1 < len(pairs) and pairs[j + 1][0] == pairs[i][0]:
            j += 1
        for k in range(i, j + 1):
            ranks[k] = (i + j) / 2 + 1
        i = j + 1
    n_pos = sum(p for _, p in pairs)
    n_neg = len(pairs) - n_pos
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    rank_sum = sum(r for r, (_, p) in zip(ranks, pairs) if p)
    return (rank_sum - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)


def score_section(text):
    """(start, end) line indices of the pipeline's top-level score: section."""
    lines = text.splitlines()
    start = next(i for i, l in enumerate(lines) if l.startswith("score:"))
    end = next((i for i in range(start + 1, len(lines)) if lines[i] and not lines[i][0].isspace() and not lines[i].startswith("#")),
               len(lines))
    return lines, start, end


def score_recipe(text):
    """The score section's recipe keys, as one line."""
    lines, start, end = score_section(text)
    keys = {}
    for l in lines[start + 1:end]:
        k, _, v = l.strip().partition(":")
        if k in ("crop", "zoom", "margin", "resize", "gray", "flip", "face_resnet"):
            keys[k] = v.split("#")[0].strip()
    return " ".join(f"{k} {v}" for k, v in keys.items()) or "stored crop"


def with_score_settings(text, settings):
    """The pipeline text with these score: keys set (replaced or added)."""
    lines, start, end = score_section(text)
    body = [l for l in lines[start + 1:end] if l.strip().partition(":")[0] not in settings]
    body = [f"  {k}: {v}" for k, v in settings.items()] + body
    return "\n".join(lines[:start + 1] + body + lines[end:]) + "\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--curate", required=True)
    ap.add_argument("--keras-python", help="a Python with tensorflow-cpu (speed comparison); skipped when absent")
    ap.add_argument("--flip", type=float, default=0.10)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default=str(ROOT / "bench-out/score"))
    ap.add_argument("--no-select", dest="select", action="store_false", help="skip `curate train --select` (the slow part)")
    args = ap.parse_args()
    out = Path(args.out)
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    tee = Tee(out / "report.txt")

    rows = list(csv.DictReader(open(DATASET / "labels.csv")))
    rng = random.Random(args.seed)
    flipped = set(rng.sample(range(len(rows)), round(args.flip * len(rows))))
    original, given = {}, {}
    with open(out / "photos.tsv", "w") as f:
        for i, r in enumerate(rows):
            label = r["label"]
            if i in flipped:
                label = rng.choice([l for l in LABELS if l != r["label"]])
            original[r["sha256"]], given[r["sha256"]] = r["label"], label
            f.write(f"{label}\t{(DATASET / r['path']).as_uri()}\n")
    tee(f"bench-score: {len(rows)} photos, {len(flipped)} labels flipped (seed {args.seed})")

    ws = out / "ws"
    pipeline = ROOT / "Pipelines/emotions.yml"
    models = ["--models", str(ROOT / "Data/models")]

    def curate(*a, workspace=ws, pipe=pipeline):
        r = subprocess.run([args.curate, *a, "--workspace", str(workspace), "--pipeline", str(pipe)], capture_output=True, text=True)
        if r.returncode != 0:
            sys.exit(f"curate {' '.join(a)} failed: {r.stderr}")
        return r.stdout

    for step in (["fetch", str(out / "photos.tsv")], ["dedup"], ["faces", *models], ["split"]):
        curate(*step)

    def evaluate(name, label=None, workspace=ws, pipe=pipeline):
        def curate_here(*a):
            return curate(*a, workspace=workspace, pipe=pipe)
        faces = [json.loads(l) for l in curate_here("export", "--format", "jsonl").splitlines()]
        faces = [f for f in faces if f["probs"] is not None]
        is_flip = [given[f["image_sha256"]] != original[f["image_sha256"]] for f in faces]
        acc = sum(f["predicted"] == original[f["image_sha256"]] for f in faces) / len(faces)
        au_sc = auroc([1 - f["self_confidence"] for f in faces], is_flip)
        au_m = auroc([1 - f["margin"] for f in faces], is_flip)
        top = json.loads(curate_here("score", "--top", "20", "--json", "--model", name, *models))
        by_id = {f["face_id"]: f for f in faces}
        p20 = sum(given[by_id[t["face_id"]]["image_sha256"]] != original[by_id[t["face_id"]]["image_sha256"]] for t in top) / len(top)
        flagged = [f for f, x in zip(faces, is_flip) if f["flagged"]]
        prec_flag = sum(given[f["image_sha256"]] != original[f["image_sha256"]] for f in flagged) / max(1, len(flagged))
        rec_flag = len([1 for f, x in zip(faces, is_flip) if f["flagged"] and x]) / max(1, sum(is_flip))
        return [label or name, len(faces), sum(is_flip), f"{acc:.3f}", f"{au_sc:.3f}", f"{au_m:.3f}", f"{p20:.2f}",
                f"{len(flagged)}", f"{prec_flag:.2f}", f"{rec_flag:.2f}"]

    if args.select:
        # The table that chose the default recipe, remade here on the flipped labels (grouped
        # cross-validation against the labels as given; nested for the honest estimate).
        tee("")
        tee("curate train --select (on the flipped labels):")
        for line in curate("train", "--select", *models).splitlines():
            tee("  " + line)

    results = []
    t = time.time()
    curate("score", *models)
    score_s = time.time() - t
    recipe = score_recipe(pipeline.read_text())
    results.append(evaluate("default", f"default ({recipe})"))
    train_report = curate("train", *models)
    curate("score", "--model", "trained", *models)
    results.append(evaluate("trained", "trained head (out-of-fold)"))

    # The naive baseline: the same network on the whole photo resized to 64x64.
    photo_ws = out / "ws-photo"
    shutil.copytree(ws, photo_ws)
    photo_pipe = out / "pipeline-photo.yml"
    photo_pipe.write_text(with_score_settings(pipeline.read_text(), {"crop": "photo", "zoom": "1.0", "flip": "false", "gray": "luma"}))
    curate("score", *models, workspace=photo_ws, pipe=photo_pipe)
    results.append(evaluate("default", "baseline: whole photo 64x64, same network", workspace=photo_ws, pipe=photo_pipe))
    tee("")
    tee("Mislabel finding (accuracy against the original labels; AUROC for the flipped faces):")
    for line in table_lines(["model", "faces", "flipped", "accuracy", "AUROC 1-selfconf", "AUROC 1-margin", "P@20",
                             "flagged", "flag precision", "flag recall"], results, "lrrrrrrrrr"):
        tee(line)
    tee("")
    tee("curate train (trained on the flipped labels):")
    for line in train_report.splitlines():
        tee("  " + line)

    # --- speed: `curate score` over every face again, in fresh copies of the workspace ---
    faces = [json.loads(l) for l in curate("export", "--format", "jsonl").splitlines()]
    crops = [str(ws / f["crop"]) for f in faces]

    def timed_score(name, settings):
        """One `curate score` over every face, in a fresh copy of the workspace: faces, the stage's
        own seconds (decode, crop, resize, networks, catalog writes; from its summary lines) and
        the process's CPU-seconds (summed over threads; start-up and model loading included)."""
        speed = out / f"ws-speed-{name}"
        shutil.copytree(ws, speed)
        con = sqlite3.connect(str(speed / "catalog.sqlite"))
        con.execute("DELETE FROM face_probs")
        con.commit()
        con.close()
        pipe = out / f"pipeline-speed-{name}.yml"
        pipe.write_text(with_score_settings(pipeline.read_text(), settings))
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        r = subprocess.run([args.curate, "score", "--workspace", str(speed), "--pipeline", str(pipe), *models],
                           capture_output=True, text=True, check=True)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        # "classified N new faces in S s (R faces/s)" and, with the face ResNet, "face ResNet features for N new faces in S s ..."
        lines = r.stdout.splitlines()
        n = int(lines[0].split()[1])
        secs = sum(float(l.split(" in ")[1].split()[0]) for l in lines if l.startswith(("classified", "face ResNet features")))
        return n, secs, cpu

    tee("")
    tee(f"speed over {len(faces)} faces (2 cores; seconds: the stage's own, from decode to catalog writes;")
    tee("faces/CPU-s: the whole process, start-up and model loading included):")
    stored = {"crop": "stored", "flip": "false", "gray": "luma", "resize": "area", "face_resnet": "false"}
    runs = [("mini-Xception on the stored 160x160 crops (what Keras does below)", "stored", stored),
            ("mini-Xception, default recipe (photo decode, margin crop, mirror)", "recipe", {"face_resnet": "false"}),
            ("full default scorer (+ face ResNet level 2 on 150x150 chips)", "full", {})]
    speed_rows = []
    curate_rate = None
    for label, name, settings in runs:
        n, secs, cpu = timed_score(name, settings)
        rate = n / secs
        curate_rate = curate_rate or rate
        speed_rows.append([f"curate score: {label}", f"{secs:.2f}", f"{rate:.0f}", f"{n / cpu:.0f}", ""])
    if args.keras_python:
        (out / "crops.txt").write_text("\n".join(crops))
        kr = subprocess.run([args.keras_python, str(ROOT / "scripts/keras_score.py"), str(out / "crops.txt"),
                             str(ROOT / "Data/cache/emotion_model.hdf5")], capture_output=True, text=True)
        if kr.returncode != 0:
            tee(f"keras side failed: {kr.stderr[-2000:]}")
        else:
            k = json.loads(kr.stdout.strip().splitlines()[-1])
            n = len(crops)
            speed_rows.append([f"Keras {k['keras']} / TF {k['tf']} predict, batch 64, 2 threads (network only)",
                               f"{k['predict_s']:.2f}", f"{n / k['predict_s']:.0f}", "", f"{curate_rate / (n / k['predict_s']):.2f}x"])
            speed_rows.append(["Keras incl. PIL decode + resize", f"{k['total_s']:.2f}", f"{n / k['total_s']:.0f}", "",
                               f"{curate_rate / (n / k['total_s']):.2f}x"])
    for line in table_lines(["scorer", "seconds", "faces/s", "faces/CPU-s", "curate stored-crop/this"], speed_rows, "lrrrr"):
        tee(line)
    tee(f"report: {out / 'report.txt'}")


if __name__ == "__main__":
    main()
