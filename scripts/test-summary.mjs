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
// Each failed test by suite, file and name, with its first error line: CI shows only part of the log, and the summary
// is the part it keeps, so the names must be here to be found at all.
const failures = []
const firstLine = (message) =>
  String(message ?? '')
    .replace(/\x1b\[[0-9;]*m/g, '')
    .split('\n')
    .map((line) => line.trim())
    .find(Boolean)
    ?.slice(0, 300) ?? ''

function vitestReport(suite) {
  const report = read(`test-results/${suite}.json`)
  if (!report) return null
  reported.add(suite)
  passed += report.numPassedTests
  failed += report.numFailedTests
  skipped += report.numPendingTests + report.numTodoTests
  for (const file of report.testResults ?? []) {
    const where = path.relative(process.cwd(), file.name ?? '')
    const failedTests = (file.assertionResults ?? []).filter((test) => test.status === 'failed')
    for (const test of failedTests)
      failures.push(`${suite} ${where} › ${test.fullName}: ${firstLine(test.failureMessages?.[0])}`)
    // A file that failed outside any test (its set-up, an import) has no failed assertion to name.
    if (file.status === 'failed' && failedTests.length === 0)
      failures.push(
        `${suite} ${where}: ${firstLine(file.message) || 'failed outside its tests (a set-up or tear-down hook; its error is in the log)'}`,
      )
  }
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
  const visit = (node, parentTitles) => {
    // A file's own suite is named after the file, which the line already shows.
    const titles = node.file === node.title ? parentTitles : [...parentTitles, node.title]
    for (const spec of node.specs ?? [])
      for (const test of spec.tests ?? [])
        if (test.status === 'unexpected') {
          const error = test.results?.at(-1)?.error?.message ?? test.results?.at(-1)?.errors?.[0]?.message
          failures.push(
            `${suite} ${spec.file}:${spec.line} › ${[...titles, spec.title].join(' › ')}: ${firstLine(error)}`,
          )
        }
    for (const child of node.suites ?? []) visit(child, titles)
  }
  for (const top of e2e.suites ?? []) visit(top, [])
}
const conformance = vitestReport('conformance')
if (failures.length) {
  console.log('failed tests:')
  for (const failure of failures) console.log(`  ${failure}`)
}
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
