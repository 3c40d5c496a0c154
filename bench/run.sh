#!/usr/bin/env bash
# The one command of the benchmark (bench/README.md):
#
#   bench/run.sh --scale S|M|L [--seed N] [--out DIR] [--build-dir DIR] [--no-build] [-- cadastre-bench flags]
#
# Builds what is needed, starts PostgreSQL 15 for the Marquez-style baseline
# in a temporary directory on 127.0.0.1 (a free port), runs cadastre-bench
# (which starts the server on a temporary data directory), prints the
# markdown tables and writes results.json and results.md to --out (default
# bench/results/<scale>, not in git). Everything started here is stopped
# and removed on exit, failure included (CADASTRE_BENCH_KEEP=1 keeps the
# scratch directories for a post-mortem).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
scale=S
seed=42
out=""
build_dir="$repo/build"
build=1
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --scale) scale=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --build-dir) build_dir=$2; shift 2 ;;
    --no-build) build=0; shift ;;
    --) shift; extra=("$@"); break ;;
    *) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
out=${out:-$repo/bench/results/$scale}
pgbin=/usr/lib/postgresql/15/bin

if [ "$build" = 1 ]; then
  bash "$repo/scripts/install-deps.sh"
  if [ ! -f "$build_dir/build.ninja" ]; then
    cmake -S "$repo" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
  fi
  cmake --build "$build_dir" -j "${JOBS:-2}" --target cadastre-server cadastre-bench
fi
bench="$build_dir/bench/cadastre-bench"
server="$build_dir/server/cadastre-server"
for f in "$bench" "$server" "$pgbin/initdb" "$pgbin/pg_ctl"; do
  [ -x "$f" ] || { echo "run.sh: $f is missing (build, or install postgresql-15)" >&2; exit 1; }
done

# PostgreSQL refuses to run as root: then its files and processes belong to
# the postgres user that the Debian package creates.
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then
    "$(command -v runuser || echo /usr/sbin/runuser)" -u postgres -- "$@"
  else
    "$@"
  fi
}

work=$(mktemp -d "${TMPDIR:-/tmp}/cadastre-bench-XXXXXX")
pgdir=$(mktemp -d "${TMPDIR:-/tmp}/cadastre-bench-pg-XXXXXX")
pg_started=0
cleanup() {
  if [ "$pg_started" = 1 ]; then
    as_pg "$pgbin/pg_ctl" -D "$pgdir/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  if [ -n "${CADASTRE_BENCH_KEEP:-}" ]; then
    echo "run.sh: kept $work and $pgdir" >&2
  else
    rm -rf "$work" "$pgdir"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
[ "$(id -u)" -eq 0 ] && chown postgres: "$pgdir"

port=$("$bench" free-port)
as_pg "$pgbin/initdb" -D "$pgdir/data" -U postgres --auth=trust --no-sync -E UTF8 --locale=C \
  >"$pgdir/initdb.log" 2>&1 || { cat "$pgdir/initdb.log" >&2; exit 1; }
pg_started=1
as_pg "$pgbin/pg_ctl" -D "$pgdir/data" -l "$pgdir/postgres.log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$pgdir -c shared_buffers=256MB -c work_mem=64MB" \
  start >/dev/null || { cat "$pgdir/postgres.log" >&2; exit 1; }

"$bench" run --server "$server" --scale "$scale" --seed "$seed" --out "$out" --work "$work" \
  --pg "host=127.0.0.1 port=$port user=postgres dbname=postgres" "${extra[@]}" \
  || { echo "run.sh: the server's log:" >&2; tail -n 50 "$work/server.log" >&2 || true; exit 1; }
"$bench" check "$out/results.json"
echo "results: $out/results.md and $out/results.json"
