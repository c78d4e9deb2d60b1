#!/usr/bin/env bash
# Fetch throughput: curate against img2dataset, same URLs, same nginx on loopback.
# Usage: scripts/bench-fetch.sh [REPEATS]   (URLs = 550 shared images x REPEATS, default 10)
# Not a test: it prints numbers. Needs ../shared and, once, PyPI for img2dataset.
set -euo pipefail
cd "$(dirname "$0")/.."
repeats=${1:-10}
dataset=$(cd .. && pwd)/shared/datasets/facial-expressions-3class
[ -f "$dataset/labels.csv" ] || { echo "bench-fetch: $dataset is missing" >&2; exit 1; }

scripts/setup.sh nginx-light wrk
swift build -c release --product curate >/dev/null
curate=$(swift build -c release --show-bin-path)/curate

out=$(pwd)/bench-out/fetch
rm -rf "$out/www" "$out/ws" "$out/i2d" && mkdir -p "$out/www" "$out/logs"
# The dataset repeated under distinct paths: distinct URLs, identical bytes.
for i in $(seq 1 "$repeats"); do ln -s "$dataset/images" "$out/www/r$i"; done

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >"$out/nginx.conf" <<CONF
worker_processes 1;
pid $out/nginx.pid;
error_log $out/logs/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  keepalive_requests 1000000;
  types { image/jpeg jpg; }
  server { listen 127.0.0.1:$port; root $out/www; }
}
CONF
nginx -p "$out" -c "$out/nginx.conf" -g 'daemon off;' &
nginx_pid=$!
trap 'kill $nginx_pid 2>/dev/null' EXIT
sleep 0.5

base="http://127.0.0.1:$port"
tail -n +2 "$dataset/labels.csv" | cut -d, -f1 | sed 's#^images/##' >"$out/paths.txt"
: >"$out/urls.txt"
for i in $(seq 1 "$repeats"); do sed "s#^#$base/r$i/#" "$out/paths.txt" >>"$out/urls.txt"; done
n=$(wc -l <"$out/urls.txt")

first=$(head -1 "$out/urls.txt")
ceiling=$(wrk -t1 -c32 -d5s "$first" | awk '/Requests\/sec/{print $2}')

venv=bench-out/venv
if [ ! -x "$venv/bin/img2dataset" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet img2dataset
fi

now() { date +%s.%N; }
t0=$(now)
"$curate" fetch --workspace "$out/ws" --label happy "$out/urls.txt" >"$out/curate.log" 2>&1
t1=$(now)
fetched=$("$curate" status --workspace "$out/ws" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["urls"]["fetched"])')

t2=$(now)
"$venv/bin/img2dataset" --url_list "$out/urls.txt" --input_format txt --output_folder "$out/i2d" \
  --resize_mode no --output_format files --processes_count 2 --thread_count 64 >"$out/i2d.log" 2>&1
t3=$(now)
i2d_ok=$(find "$out/i2d" -name '*.jpg' | wc -l)

python3 - "$n" "$ceiling" "$t0" "$t1" "$fetched" "$t2" "$t3" "$i2d_ok" <<'PY'
import sys
n, ceiling = int(sys.argv[1]), float(sys.argv[2])
t0, t1, ok, t2, t3, i2d = float(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5]), float(sys.argv[6]), float(sys.argv[7]), int(sys.argv[8])
c, p = t1 - t0, t3 - t2
print(f"URLs: {n}; nginx ceiling (wrk -t1 -c32, one URL): {ceiling:,.0f} req/s")
print(f"{'tool':<12}{'wall s':>9}{'images':>9}{'images/s':>11}")
print(f"{'curate':<12}{c:>9.2f}{ok:>9}{ok / c:>11.0f}")
print(f"{'img2dataset':<12}{p:>9.2f}{i2d:>9}{i2d / p:>11.0f}")
print(f"ratio (curate / img2dataset, images/s): {(ok / c) / (i2d / p):.2f}x")
PY
