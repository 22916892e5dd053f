#!/usr/bin/env bash
# The dashboard as end-to-end tests see it: the production build on a fresh database of its own.
set -euo pipefail
cd "$(dirname "$0")/.."
db="${DATABASE_URL#file:}"
mkdir -p "$(dirname "$db")"
rm -f "$db" "$db-wal" "$db-shm"
npx tsx --conditions=react-server scripts/db/migrate.ts
exec npx next start -H 127.0.0.1 -p "${1:-3100}"
