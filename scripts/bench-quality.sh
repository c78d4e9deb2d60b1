#!/usr/bin/env bash
# Face quality gate calibration: see scripts/bench_quality.py. Degrades every shared photo one
# way at a time with Pillow (test venv), runs the pipeline with the gate off, and prints how the
# gate's measurements and the default model's predictions move. The gate's defaults are read off it.
# Usage: scripts/bench-quality.sh [--photos N]     Writes only under bench-out/quality (git-ignored).
set -euo pipefail
cd "$(dirname "$0")/.."
echo "+ $0 $*"
[ -f Data/models/MANIFEST.sha256 ] || scripts/models.sh
scripts/test-venv.sh
swift build -c release --product curate >/dev/null
exec Data/cache/venv-test/bin/python scripts/bench_quality.py --curate "$(swift build -c release --show-bin-path)/curate" "$@"
