#!/usr/bin/env bash
# Builds the embedded sample: face and non-face images that PyPI packages ship
# (scikit-image's skimage/data, insightface's data/images), into $1 (default Data/sample).
# Downloads happen once; the files are generated, not committed.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-Data/sample}
wheels=Data/cache/wheels
mkdir -p "$out/images" "$wheels"

[ -n "$(ls "$wheels"/scikit_image-0.26.0-*.whl 2>/dev/null)" ] ||
  python3 -m pip download --quiet --no-deps --dest "$wheels" scikit-image==0.26.0
[ -f "$wheels/insightface-0.7.3.tar.gz" ] ||
  python3 -m pip download --quiet --no-deps --no-binary :all: --no-build-isolation --dest "$wheels" insightface==0.7.3 2>/dev/null ||
  python3 -m pip download --quiet --no-deps --dest "$wheels" insightface==0.7.3

python3 - "$wheels" "$out/images" <<'PY'
import glob, os, sys, tarfile, zipfile
wheels, dest = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(glob.glob(os.path.join(wheels, "scikit_image-0.26.0-*.whl"))[0]) as z:
    for name in ["astronaut", "camera", "chelsea", "coffee"]:
        with open(os.path.join(dest, name + ".png"), "wb") as f:
            f.write(z.read(f"skimage/data/{name}.png"))
with tarfile.open(os.path.join(wheels, "insightface-0.7.3.tar.gz")) as t:
    member = next(m for m in t.getmembers() if m.name.endswith("insightface/data/images/t1.jpg"))
    with open(os.path.join(dest, "t1.jpg"), "wb") as f:
        f.write(t.extractfile(member).read())
PY
ls "$out/images"
