#!/usr/bin/env bash
# Installs the Debian 12 packages Cadastre builds and tests with, if any is
# missing. Safe to run again: it does nothing when all are present.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libabsl-dev libsqlite3-dev sqlite3 libssl-dev libcpp-httplib-dev
  nlohmann-json3-dev libcli11-dev libgtest-dev libgmock-dev
  curl
  postgresql-15 libpq-dev
  python3-jsonschema
  chromium fonts-dejavu-core
)
# The web UI's libraries come from npm (`npm ci` in web/, run by the build);
# the browser tests need node too. Debian's nodejs and npm, unless a node is
# already installed (the machine image ships a newer one).
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  PACKAGES+=(nodejs npm)
fi

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "Installing: ${missing[*]}"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
