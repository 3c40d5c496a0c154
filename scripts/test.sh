#!/usr/bin/env bash
# Builds everything and runs every test: unit, store conformance and
# integration tests against the real server binary.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
cd "${BUILD_DIR:-build}"
ctest --output-on-failure -j "${JOBS:-2}" --timeout 300
