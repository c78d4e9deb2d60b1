#!/usr/bin/env bash
# Fuzzes the image code with libFuzzer (clang and the Swift toolchain's fuzzer runtime) under
# AddressSanitizer and LeakSanitizer: the header probe, every decoder, the EXIF parser.
# Not part of CI. Seeds are the shared photos and Pillow-made variants of them (WebP, AVIF,
# GIF, CMYK, 16-bit, palette, EXIF-rotated), shrunk to 48 px so runs are fast.
#   scripts/fuzz.sh [--runs N] [--seconds S] [TARGET...]    (default: every target, 1,000,000 runs)
# Prints, per target: executions, seconds, and crashes (crash inputs are kept in Data/fuzz/TARGET/).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=1000000; seconds=0; targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done
[ ${#targets[@]} -gt 0 ] || targets=(probe exif jpeg png webp avif gif)

scripts/setup.sh libavif-bin
scripts/test-venv.sh
out=Data/fuzz; mkdir -p "$out/build"
b=$out/build
# Module maps for the C targets SwiftPM would otherwise generate.
for m in CCodecs:Sources/CCodecs/include/ccodecs.h CKernels:Sources/CKernels/include/ckernels.h; do
  name=${m%%:*}; hdr=$PWD/${m#*:}; mkdir -p "$b/$name"
  printf 'module %s {\n    header "%s"\n    export *\n}\n' "$name" "$hdr" > "$b/$name/module.modulemap"
done
san=(-fsanitize=fuzzer-no-link,address -g -O1)
for f in Sources/CCodecs/*.c; do clang "${san[@]}" -c "$f" -ISources/CCodecs/include -o "$b/$(basename "$f" .c).o"; done
for f in Sources/CKernels/*.c; do clang "${san[@]}" -O3 -c "$f" -ISources/CKernels/include -o "$b/$(basename "$f" .c).o"; done
if [ ! -x "$b/imaging-fuzz" ] || [ -n "$(find Sources/Imaging Sources/CCodecs Fuzz -newer "$b/imaging-fuzz" -print -quit)" ]; then
  echo "fuzz: building $b/imaging-fuzz"
  swiftc -sanitize=fuzzer,address -parse-as-library -O -g -module-name Imaging \
    Sources/Imaging/*.swift Fuzz/ImagingFuzz.swift \
    -I Sources/CTurboJPEG -I Sources/CPNG -I Sources/CWebP -I Sources/CAVIF -I Sources/CGIF -I "$b/CCodecs" -I "$b/CKernels" \
    "$b"/*.o -lturbojpeg -lpng16 -lwebpdemux -lwebp -lavif -lgif -o "$b/imaging-fuzz" >"$b/build.log" 2>&1 \
    || { cat "$b/build.log" >&2; exit 1; }
fi

# Seeds: small copies of every variant (made by the test generator) plus the raw shared photos.
seeds=$out/seeds
if [ ! -d "$seeds/all" ]; then
  rm -rf "$seeds"; mkdir -p "$seeds/small"
  for f in ../shared/fixtures/images/kate_siegel.jpg ../shared/datasets/facial-expressions-3class/images/happy/Jason_Kidd_0010.jpg; do
    Data/cache/venv-test/bin/python -c 'import sys; from PIL import Image; im = Image.open(sys.argv[1]); im.thumbnail((48, 48)); im.save(sys.argv[2])' "$f" "$seeds/small/$(basename "$f" .jpg).png"
  done
  Data/cache/venv-test/bin/python Tests/WebImageTests/make_variants.py "$seeds/variants" "$seeds"/small/*.png >/dev/null
  mkdir -p "$seeds/all"; find "$seeds/variants" -type f ! -name '*.rgb' ! -name '*.json' -exec cp {} "$seeds/all/" \;
fi

printf '%-6s %12s %9s %8s\n' target executions seconds crashes
for t in "${targets[@]}"; do
  dir=$out/$t; mkdir -p "$dir/corpus" "$dir/crashes"
  case $t in
    jpeg) pat='*.jpg' ;; png) pat='*.png' ;; webp) pat='*.webp' ;; avif) pat='*.avif' ;; gif) pat='*.gif' ;; *) pat='*' ;;
  esac
  find "$seeds/all" -type f -name "$pat" -exec cp -n {} "$dir/corpus/" \;
  limit=(-runs="$runs"); [ "$seconds" -gt 0 ] && limit=(-max_total_time="$seconds")
  start=$(date +%s); touch "$dir/.started"
  set +e
  CURATE_FUZZ_TARGET=$t ASAN_OPTIONS=detect_leaks=1 "$b/imaging-fuzz" "${limit[@]}" -max_len=65536 -rss_limit_mb=4096 \
    -timeout=20 -artifact_prefix="$dir/crashes/" -print_final_stats=1 "$dir/corpus" >"$dir/log.txt" 2>&1
  rc=$?
  set -e
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$dir/log.txt" | grep -o '[0-9]*$' || echo "?")
  crashes=$(find "$dir/crashes" -type f -newer "$dir/.started" | wc -l)   # this run's only
  printf '%-6s %12s %9s %8s%s\n' "$t" "$execs" "$(( $(date +%s) - start ))" "$crashes" "$([ $rc -ne 0 ] && echo "  (exit $rc: see $dir/log.txt)")"
done
