#!/usr/bin/env bash
# Mislabel finding and scoring speed: see scripts/bench_score.py. Flips 10% of the shared
# dataset's labels, runs the pipeline, and prints accuracy, AUROC and precision@20 for the
# default model and the trained head, then faces/s for `curate score` and for Keras.
# Usage: scripts/bench-score.sh [bench_score.py options]
# Needs ../shared; the first run installs tensorflow-cpu into bench-out/venv-keras (PyPI).
# Writes only under bench-out/ (git-ignored). Not a test: timings are noisy on a busy machine.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "+ $0 $*"
[ -f Data/models/MANIFEST.sha256 ] || scripts/models.sh
venv=bench-out/venv-keras
if ! { [ -x "$venv/bin/python" ] && "$venv/bin/python" -c 'import tensorflow, keras, PIL' 2>/dev/null; }; then
  echo "bench-score: installing tensorflow-cpu, Pillow, numpy, h5py into $venv (log: bench-out/venv-keras.log)"
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet tensorflow-cpu pillow numpy h5py >>bench-out/venv-keras.log 2>&1
fi
swift build -c release --product curate >/dev/null
curate=$(swift build -c release --show-bin-path)/curate
exec python3 scripts/bench_score.py --curate "$curate" --keras-python "$venv/bin/python" "$@"
