// Adds up the suites' JSON reports into the one closing line CI reads: "N passed, N failed".
import fs from 'node:fs'

const failedStages = process.argv.slice(2)
const read = (file) => (fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : null)
let passed = 0
let failed = 0
let skipped = 0
for (const suite of ['unit', 'integration']) {
  const report = read(`test-results/${suite}.json`)
  if (!report) continue
  passed += report.numPassedTests
  failed += report.numFailedTests
  skipped += report.numPendingTests + report.numTodoTests
  console.log(`${suite}: ${report.numPassedTests} passed, ${report.numFailedTests} failed`)
}
const e2e = read('test-results/e2e.json')
if (e2e) {
  passed += e2e.stats.expected + e2e.stats.flaky
  failed += e2e.stats.unexpected
  skipped += e2e.stats.skipped
  console.log(`e2e: ${e2e.stats.expected + e2e.stats.flaky} passed, ${e2e.stats.unexpected} failed`)
}
if (failedStages.length) console.log(`failed stages: ${failedStages.join(', ')}`)
// A stage that failed without a report (typecheck, lint, build, a crashed runner) still counts as a failure.
const unreported = failedStages.filter((stage) => !['unit', 'integration', 'e2e'].includes(stage)).length
console.log(`tests: ${passed} passed, ${failed + unreported} failed, ${skipped} skipped`)
process.exit(failed + failedStages.length > 0 ? 1 : 0)
