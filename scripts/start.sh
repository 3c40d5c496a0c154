#!/usr/bin/env bash
# Quick start: installs what is missing, builds, and runs cadastre-server on
# the embedded SQLite database in ./cadastre-data. Arguments are passed to
# the server (see `build/server/cadastre-server --help`).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh --target cadastre-server
exec build/server/cadastre-server "$@"
