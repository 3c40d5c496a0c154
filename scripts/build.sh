#!/usr/bin/env bash
# Configures and builds into ./build (ccache, Ninja, two jobs: the machine
# has two cores). Extra arguments go to the build, e.g. a target name.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
BUILD_DIR=${BUILD_DIR:-build}
if [ ! -f "$BUILD_DIR/build.ninja" ]; then
  cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
fi
cmake --build "$BUILD_DIR" -j "${JOBS:-2}" "$@"
