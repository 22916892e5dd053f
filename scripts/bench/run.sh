#!/usr/bin/env bash
# The benchmark gets a fresh database of its own, so it never touches the dashboard's (VIRTNET_BENCH_DB moves it, so
# that two checkouts can bench at the same time).
set -euo pipefail
cd "$(dirname "$0")/../.."
# VIRTNET_BENCH_DATABASE_URL=postgresql://…?schema=bench benches on PostgreSQL instead, in that schema (emptied first).
if [ -n "${VIRTNET_BENCH_DATABASE_URL:-}" ]; then
  export DATABASE_URL=$VIRTNET_BENCH_DATABASE_URL
  npx tsx scripts/db/drop-schema.ts
else
  db="${VIRTNET_BENCH_DB:-$PWD/data/bench/bench.db}"
  mkdir -p "$(dirname "$db")"
  rm -f "$db" "$db-wal" "$db-shm"
  export DATABASE_URL="file:$db"
fi
npx tsx --conditions=react-server scripts/db/migrate.ts >/dev/null
exec npx tsx --conditions=react-server scripts/bench/bench.ts "$@"
