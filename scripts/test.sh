#!/usr/bin/env bash
# Sets up and runs the whole test suite. Tests that need ../shared skip with a message
# when it is absent.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/models.sh
# Release: the model-parity tests run MTCNN over hundreds of photos.
swift build -c release --build-tests
swift test -c release
