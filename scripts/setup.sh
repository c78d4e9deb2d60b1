#!/usr/bin/env bash
# Installs what curate needs to build and test on Debian 12 (the C libraries behind its
# system-library targets: libcurl, libjpeg-turbo, libpng, libwebp, libavif, giflib, SQLite,
# OpenBLAS; python3 for the loopback test server; and postgresql, Debian 12's PostgreSQL 15
# server, which the PostgreSQL catalog tests start on their own in a temp folder, and openssl,
# which makes that server a self-signed certificate for the TLS tests). Safe to rerun:
# apt runs only when a package is missing. Installing postgresql may create and try to start
# Debian's own cluster; the tests do not use it, and nothing is started here.
set -euo pipefail

packages=(pkg-config libcurl4-openssl-dev libturbojpeg0-dev libpng-dev libwebp-dev libavif-dev libgif-dev libsqlite3-dev libopenblas-dev python3 postgresql openssl "$@")

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
command -v swift >/dev/null || { echo "setup: swift is not on PATH (Swift 6.3 expected)" >&2; exit 1; }
