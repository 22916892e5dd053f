#!/usr/bin/env bash
# One of the two dashboard replicas the end-to-end tests run on one PostgreSQL schema (playwright.replicas.config.ts):
# the production build on port $1. The first replica empties the schema DATABASE_URL names and migrates it; the second
# (given the first one's port as $2) waits until the first answers, so that it starts on the migrated schema.
set -euo pipefail
cd "$(dirname "$0")/.."
port=$1
first=${2:-}
if [ -z "$first" ]; then
  npx tsx scripts/db/drop-schema.ts
  npx tsx --conditions=react-server scripts/db/migrate.ts
else
  deadline=$((SECONDS + 180))
  until curl -fsS -o /dev/null "http://127.0.0.1:$first/login"; do
    if [ $SECONDS -gt $deadline ]; then
      echo "replica on port $first did not come up" >&2
      exit 1
    fi
    sleep 0.5
  done
fi
exec npx next start -H 127.0.0.1 -p "$port"
