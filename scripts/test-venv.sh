#!/usr/bin/env bash
# The Python the tests drive other programs with: Data/cache/venv-test (git-ignored), with
# Pillow (the stand-in for torchvision's ImageFolder reader in the export test; it also makes
# the WebP, AVIF, GIF, CMYK, 16-bit and EXIF-rotated test inputs), imagehash (the reference
# the decoded variants are hashed against) and Selenium (drives Debian's headless Chromium in
# the review and report tests), Hugging Face datasets and webdataset (read the imagefolder
# and webdataset exports as training code does). Idempotent:
# pip runs only when the venv is missing or lacks a pinned package. Prints nothing on success
# when there is nothing to do.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=Data/cache/venv-test
PACKAGES=(Pillow==13.0.0 selenium==4.51.0 imagehash==4.3.2 numpy==2.4.6 scipy==1.17.1 PyWavelets==1.9.0 datasets==4.4.1 webdataset==1.0.2)
PROBE='import PIL, selenium, imagehash, datasets, webdataset; assert PIL.__version__ == "13.0.0" and selenium.__version__ == "4.51.0" and imagehash.__version__ == "4.3.2" and datasets.__version__ == "4.4.1" and webdataset.__version__ == "1.0.2"'

if [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c "$PROBE" 2>/dev/null; then
  exit 0
fi
echo "test-venv: creating $VENV with ${PACKAGES[*]}"
rm -rf "$VENV"
python3 -m venv "$VENV" || { echo "test-venv: python3 -m venv failed (on Debian: apt-get install python3-venv)" >&2; exit 1; }
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "${PACKAGES[@]}" \
  || { echo "test-venv: pip install ${PACKAGES[*]} failed (needs PyPI once)" >&2; exit 1; }
