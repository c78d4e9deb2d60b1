#!/usr/bin/env bash
# Face-detection speed: `curate faces` against facenet-pytorch 2.6.0's MTCNN (the model curate's
# weights come from), on the same images, 2 threads each. Two sets, reported separately:
#   dataset   the 550 images of ../shared/datasets/facial-expressions-3class (about 350x350)
#   fixtures  the 11 larger photos in ../shared/fixtures/images/
# Prints images/s and faces/s (faces with p >= 0.9, curate's min_probability) for both sides
# and the ratio curate/reference; see scripts/bench_faces.py for what each side's time covers.
# Usage: scripts/bench-faces.sh [bench_faces.py options, e.g. --repeats 3 --sets dataset]
# Env:   CURATE_BIN=FILE  use this curate binary instead of building one (absolute, or relative
#                         to the repo root).
# Not a test: it prints numbers, which are noisy on a busy machine. Needs ../shared and, the
# first time without bench-out/venv-dedup, PyPI for the venv. Writes only under bench-out/
# (git-ignored), except that scripts/models.sh runs (writing Data/) when its outputs are missing.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "+ $0 $*"
mkdir -p bench-out/faces
# torch caches on import; keep that in bench-out/ too.
export XDG_CACHE_HOME=$PWD/bench-out/faces/cache TORCH_HOME=$PWD/bench-out/faces/cache/torch
# Threads (2 on each side by default) are set in bench_faces.py: torch.set_num_threads, and
# OMP_WAIT_POLICY=PASSIVE unless already set (libgomp's default spin-waiting made 2 torch
# threads on 2 busy CPUs 10-18x slower); curate runs one image per core, and the process
# (so curate too) is pinned to 2 CPUs when the machine has more.

wheel=Data/cache/wheels/facenet_pytorch-2.6.0-py3-none-any.whl
if [ ! -f "$wheel" ] || [ ! -f Data/models/MANIFEST.sha256 ]; then
  echo "bench-faces: $wheel or Data/models/ missing; running scripts/models.sh"
  scripts/models.sh
fi

# --- Python side: reuse bench-dedup's venv when it has torch + facenet_pytorch ---
probe='import torch, facenet_pytorch, facenet_pytorch.models.mtcnn, tqdm, PIL, numpy'
py=
if [ -x bench-out/venv-dedup/bin/python ] && bench-out/venv-dedup/bin/python -c "$probe" 2>/dev/null; then
  py=bench-out/venv-dedup/bin/python
else
  venv=bench-out/venv-faces
  log=bench-out/venv-faces.log
  [ -x "$venv/bin/python" ] || { echo "bench-faces: creating $venv"; python3 -m venv "$venv"; }
  if ! "$venv/bin/python" -c "$probe" 2>/dev/null; then
    # facenet-pytorch 2.6.0 with exactly the dependencies it declares (torch 2.2, torchvision
    # 0.17, numpy < 2, Pillow 10.2, tqdm, requests), resolved by pip from PyPI, so pip neither
    # warns about versions nor leaves an import missing. About 3 GB once: PyPI's torch wheels
    # bring CUDA libraries even on a CPU machine.
    echo "bench-faces: installing facenet-pytorch 2.6.0 and the torch 2.2 it declares into $venv (about 3 GB, once; log: $log)"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$wheel" >>"$log" 2>&1 \
      || { echo "bench-faces: pip failed; see $log" >&2; exit 1; }
  fi
  py=$venv/bin/python
fi
echo "bench-faces: python $py"

# --- Swift side ---
if [ -n "${CURATE_BIN:-}" ]; then
  curate=$CURATE_BIN
  echo "bench-faces: using $curate (CURATE_BIN; not building)"
else
  swift build -c release --product curate >/dev/null
  curate=$(swift build -c release --show-bin-path)/curate
fi
[ -x "$curate" ] || { echo "bench-faces: $curate is not an executable" >&2; exit 1; }

exec "$py" scripts/bench_faces.py --curate "$curate" "$@"
