#!/usr/bin/env bash
# Dedup benchmark: curate's pHash/dHash against Python imagehash 4.3.2 on the shared dataset.
#   1. near-duplicate recall/precision on 550 originals x 5 Pillow transforms (+ threshold sweep),
#   2. hash agreement with imagehash (and the shared reference fixture),
#   3. speed side by side (curate dedup, imagehash, imagededup if installed, Pillow decode,
#      curate-bench decode),
#   4. per-format decode + hash rate and agreement (scripts/bench_formats.py).
# Usage: scripts/bench-dedup.sh [bench_dedup.py options, e.g. --threshold 10 --repeats 3]
# Env:   CURATE_BIN_DIR=DIR  use curate (and curate-bench) from DIR instead of building.
# Not a test: it prints numbers. Needs ../shared and, once, PyPI for the venv.
# Writes only under bench-out/ (git-ignored).
set -euo pipefail
cd "$(dirname "$0")/.."

echo "+ $0 $*"
mkdir -p bench-out
venv=bench-out/venv-dedup
py=$venv/bin/python
log=bench-out/venv-dedup.log
# imagededup pulls in matplotlib and torch, which cache on import: keep that in bench-out/ too.
export MPLCONFIGDIR=$PWD/bench-out/dedup/cache/matplotlib XDG_CACHE_HOME=$PWD/bench-out/dedup/cache \
  TORCH_HOME=$PWD/bench-out/dedup/cache/torch

# --- Python side: Pillow 13.0.0 (as the reference fixture), imagehash 4.3.2, numpy, scipy ---
if [ ! -x "$py" ]; then
  echo "bench-dedup: creating $venv"
  python3 -m venv "$venv"
fi
if ! "$py" -c 'import PIL, imagehash, numpy, scipy; assert imagehash.__version__ == "4.3.2"' 2>/dev/null; then
  echo "bench-dedup: installing Pillow, imagehash, numpy, scipy into $venv (log: $log)"
  if ! "$py" -m pip install --quiet Pillow==13.0.0 >>"$log" 2>&1; then
    echo "bench-dedup: Pillow 13.0.0 is not installable here; using the newest Pillow instead"
    "$py" -m pip install --quiet --upgrade Pillow >>"$log" 2>&1
  fi
  pillow=$("$py" -c 'import PIL; print(PIL.__version__)')
  # Keep the Pillow just chosen: imagehash and friends must not move it.
  echo "Pillow==$pillow" >"$venv/constraints.txt"
  "$py" -m pip install --quiet -c "$venv/constraints.txt" imagehash==4.3.2 numpy scipy >>"$log" 2>&1
fi
pillow=$("$py" -c 'import PIL; print(PIL.__version__)')
echo "bench-dedup: Pillow $pillow in $venv"
[ "$pillow" = "13.0.0" ] || echo "bench-dedup: NOTE Pillow is $pillow, not 13.0.0 (the reference fixture's version)"

# imagededup is optional: try once; a marker remembers a failed try (delete it to retry).
skip_marker=$venv/.imagededup-skipped
if "$py" -c 'import imagededup' 2>/dev/null; then
  :
elif [ -f "$skip_marker" ]; then
  echo "bench-dedup: imagededup skipped (it did not install before; rm $skip_marker to retry)"
else
  echo "bench-dedup: trying to install imagededup (optional; log: $log)"
  "$py" -c 'import PIL, imagehash, numpy; print(f"Pillow=={PIL.__version__}\nimagehash=={imagehash.__version__}\nnumpy=={numpy.__version__}")' \
    >"$venv/constraints.txt"
  if "$py" -m pip install --quiet -c "$venv/constraints.txt" imagededup >>"$log" 2>&1 \
     && "$py" -c 'import imagededup' >>"$log" 2>&1; then
    echo "bench-dedup: imagededup $("$py" -c 'from importlib.metadata import version; print(version("imagededup"))') installed"
  else
    echo "bench-dedup: imagededup skipped (it did not install; see $log)"
    touch "$skip_marker"
  fi
fi

# --- Swift side ---
if [ -n "${CURATE_BIN_DIR:-}" ]; then
  bin=$(cd "$CURATE_BIN_DIR" && pwd)
  echo "bench-dedup: using binaries from $bin (CURATE_BIN_DIR; not building)"
else
  swift build -c release --product curate >/dev/null
  bin=$(swift build -c release --show-bin-path)
  if ! swift build -c release --product curate-bench >bench-out/curate-bench-build.log 2>&1; then
    echo "bench-dedup: curate-bench did not build (see bench-out/curate-bench-build.log); skipping its decode line"
  fi
fi
[ -x "$bin/curate" ] || { echo "bench-dedup: $bin/curate is missing" >&2; exit 1; }
bench_args=()
if [ -x "$bin/curate-bench" ]; then
  bench_args=(--curate-bench "$bin/curate-bench")
else
  echo "bench-dedup: no curate-bench in $bin; skipping the decode-limit line"
fi

"$py" scripts/bench_dedup.py --curate "$bin/curate" "${bench_args[@]}" "$@"
# 4. Per-format decode + hash (WebP, AVIF, GIF, CMYK, PNG, EXIF-rotated JPEG) against Pillow + imagehash.
if [ -x "$bin/curate-bench" ]; then
  "$py" scripts/bench_formats.py --curate-bench "$bin/curate-bench"
fi
