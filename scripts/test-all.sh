#!/usr/bin/env bash
# Every suite, in order of cost: typecheck, lint, unit, conformance (libvirt's own test corpus, when present),
# integration (real lab), end-to-end (real Chromium). Runs them all even when one fails, then prints the summary.
set -uo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1
mkdir -p test-results
rm -f test-results/*.json
failed_stages=()
# The vitest suites run shuffled (vitest.config.ts), all with this one seed, printed first and again in the summary so
# a failing order can be repeated: VIRTNET_TEST_SEED=N npm test, or one suite with --sequence.seed=N (docs/testing.md).
seed=${VIRTNET_TEST_SEED:-$(($(date +%s) % 1000000))}
echo "$seed" >test-results/seed
printf 'test order seed: %s\n' "$seed"

stage() {
  local name=$1; shift
  printf '\n\033[1m== %s\033[0m\n' "$name"
  "$@" || failed_stages+=("$name")
}

stage prisma bash scripts/db/generate.sh
stage typecheck npx tsc --noEmit
stage lint npm run --silent lint
stage unit npx vitest run --project unit --sequence.seed="$seed" --reporter=default --reporter=json --outputFile.json=test-results/unit.json
# libvirt's corpus is not part of the repository; a clone without it skips this stage (the summary says so).
if [ -d ../shared/conformance ]; then
  stage conformance npx vitest run --project conformance --sequence.seed="$seed" --reporter=default --reporter=json --outputFile.json=test-results/conformance.json
else
  printf '\n\033[1m== conformance\033[0m\nskipped: no libvirt conformance corpus at ../shared/conformance\n'
fi
# Before integration: lib/jobs/restart.itest.ts starts (and kills) the production build.
stage build npx next build
stage integration npx vitest run --project integration --sequence.seed="$seed" --reporter=default --reporter=json --outputFile.json=test-results/integration.json
# The database-facing integration files once more on PostgreSQL (docs/scaling.md), in a schema of this run's own. Not
# the whole suite: the files that mostly drive a host (bridges, SR-IOV, guests, SSH) ask the database nothing SQLite
# and PostgreSQL answer differently, and would add ~10 minutes; the SQLite-only files (backup, upgrade, the file's
# own modes) have no PostgreSQL counterpart. This list runs in about 4 minutes.
postgres_files=(
  app/actions-authorization.itest.ts app/api/probes.itest.ts app/audit-password-redaction.itest.ts
  lib/actions lib/audit lib/auth lib/boot/recovery.itest.ts lib/dhcp/dhcp.itest.ts
  lib/forwards/forwards.itest.ts lib/jobs lib/network-edit/concurrent.itest.ts lib/networks/networks.itest.ts
  lib/plan lib/users
)
postgres_url=${VIRTNET_TEST_POSTGRES_URL:-postgresql://virtnet:virtnet@127.0.0.1:5432/virtnet}
# The PostgreSQL stages run where PostgreSQL answers, and always in CI (.ci/run sets VIRTNET_REQUIRE_POSTGRES=1): there
# a missing server fails them instead of skipping them.
use_postgres() {
  [ -n "${VIRTNET_REQUIRE_POSTGRES:-}" ] ||
    node -e "const c=new (require('pg').Client)(process.argv[1]);c.connect().then(()=>process.exit(0),()=>process.exit(1))" "$postgres_url"
}
if use_postgres; then
  postgres_test_db="$postgres_url?schema=integration_$$"
  VIRTNET_TEST_DB=$postgres_test_db stage integration-postgres npx vitest run --project integration \
    --sequence.seed="$seed" --reporter=default --reporter=json --outputFile.json=test-results/integration-postgres.json \
    "${postgres_files[@]}"
  DATABASE_URL=$postgres_test_db npx tsx scripts/db/drop-schema.ts || true
else
  printf '\n\033[1m== integration-postgres\033[0m\nskipped: no PostgreSQL at %s (.ci/run starts one)\n' "$postgres_url"
fi
stage e2e npx playwright test
# Two replicas of the build on one PostgreSQL schema of this run's own, exercised together (e2e/replicas).
if use_postgres; then
  export VIRTNET_TEST_POSTGRES_URL=$postgres_url VIRTNET_E2E_REPLICAS_SCHEMA=e2e_replicas_$$
  stage e2e-replicas npx playwright test -c playwright.replicas.config.ts
  DATABASE_URL="$postgres_url?schema=$VIRTNET_E2E_REPLICAS_SCHEMA" npx tsx scripts/db/drop-schema.ts || true
else
  printf '\n\033[1m== e2e-replicas\033[0m\nskipped: no PostgreSQL at %s (.ci/run starts one)\n' "$postgres_url"
fi

node scripts/test-summary.mjs "${failed_stages[@]}"
