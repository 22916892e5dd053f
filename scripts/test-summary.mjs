// Adds up the suites' JSON reports (in ./test-results) into the one closing line CI reads:
// "tests: N passed, N failed, N skipped".
// The conformance suite checks against libvirt's own test corpus, which lives beside the repository
// (../shared/conformance), not in it; scripts/test-all.sh runs it only where the corpus is. When it ran,
// its counts are part of the totals; its own line, just before the totals, says so or says it did not run.
import fs from 'node:fs'
import path from 'node:path'

const failedStages = process.argv.slice(2)
const read = (file) => (fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : null)
let passed = 0
let failed = 0
let skipped = 0
const reported = new Set()

function vitestReport(suite) {
  const report = read(`test-results/${suite}.json`)
  if (!report) return null
  reported.add(suite)
  passed += report.numPassedTests
  failed += report.numFailedTests
  skipped += report.numPendingTests + report.numTodoTests
  return report
}

for (const suite of ['unit', 'integration', 'integration-postgres']) {
  const report = vitestReport(suite)
  if (report) console.log(`${suite}: ${report.numPassedTests} passed, ${report.numFailedTests} failed`)
}
for (const suite of ['e2e', 'e2e-replicas']) {
  const e2e = read(`test-results/${suite}.json`)
  if (!e2e) continue
  reported.add(suite)
  passed += e2e.stats.expected + e2e.stats.flaky
  failed += e2e.stats.unexpected
  skipped += e2e.stats.skipped
  console.log(`${suite}: ${e2e.stats.expected + e2e.stats.flaky} passed, ${e2e.stats.unexpected} failed`)
}
const conformance = vitestReport('conformance')
if (failedStages.length) console.log(`failed stages: ${failedStages.join(', ')}`)
if (conformance) {
  console.log(
    `conformance: ${conformance.numPassedTests} passed, ${conformance.numFailedTests} failed (included in the totals below)`,
  )
} else if (!fs.existsSync(path.join('..', 'shared', 'conformance'))) {
  console.log('conformance: not run (corpus absent)')
} else {
  console.log('conformance: not run (no report in test-results)')
}
// The shuffled suites' seed (scripts/test-all.sh): the one number that repeats this run's order.
if (fs.existsSync('test-results/seed')) {
  const seed = fs.readFileSync('test-results/seed', 'utf8').trim()
  console.log(
    `order seed: ${seed} (repeat: VIRTNET_TEST_SEED=${seed} npm test, or npx vitest run --project <suite> --sequence.seed=${seed})`,
  )
}
// A stage that failed without a report (typecheck, lint, build, a crashed runner) still counts as a failure.
const unreported = failedStages.filter((stage) => !reported.has(stage)).length
console.log(`tests: ${passed} passed, ${failed + unreported} failed, ${skipped} skipped`)
process.exit(failed + failedStages.length > 0 ? 1 : 0)
