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
stage e2e npx playwright test

node scripts/test-summary.mjs "${failed_stages[@]}"
