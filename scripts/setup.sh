#!/usr/bin/env bash
# One command from a fresh clone to a running dashboard: packages, dependencies, database, lab, build, server.
# Re-running it is safe; each step skips what is already done.
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1
port="${PORT:-3000}"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "Node dependencies"
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi

step "Database"
bash scripts/db/generate.sh >/dev/null
npm run --silent db:migrate

step "Lab (two libvirt hosts over SSH)"
bash scripts/lab/lab.sh up

step "Build"
if [ "${VIRTNET_SKIP_BUILD:-0}" != 1 ]; then npx next build; fi

step "First admin and lab host"
npx tsx --conditions=react-server scripts/bootstrap.ts

step "Dashboard"
echo "Starting Virtnet on http://localhost:${port} (Ctrl-C stops it)"
exec npx next start -p "$port"
