import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'

/*
 * scripts/test-summary.mjs, run the way test-all.sh runs it (from the repository root, reports in
 * test-results/), in a scratch directory laid out like a clone with or without ../shared/conformance.
 */

const script = path.resolve(import.meta.dirname, 'test-summary.mjs')
const scratch: string[] = []

afterEach(() => {
  for (const dir of scratch.splice(0)) fs.rmSync(dir, { recursive: true, force: true })
})

const vitestReport = (passed: number, failed: number, pending = 0) => ({
  numPassedTests: passed,
  numFailedTests: failed,
  numPendingTests: pending,
  numTodoTests: 0,
})

function summarize(
  reports: Record<string, object>,
  options: { corpus: boolean; failedStages?: string[]; seed?: string },
) {
  const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'virtnet-summary-'))
  scratch.push(parent)
  const repo = path.join(parent, 'repo')
  fs.mkdirSync(path.join(repo, 'test-results'), { recursive: true })
  if (options.corpus) fs.mkdirSync(path.join(parent, 'shared', 'conformance'), { recursive: true })
  for (const [suite, report] of Object.entries(reports))
    fs.writeFileSync(path.join(repo, 'test-results', `${suite}.json`), JSON.stringify(report))
  if (options.seed) fs.writeFileSync(path.join(repo, 'test-results', 'seed'), `${options.seed}\n`)
  const run = spawnSync(process.execPath, [script, ...(options.failedStages ?? [])], { cwd: repo, encoding: 'utf8' })
  return { lines: run.stdout.trim().split('\n'), status: run.status }
}

describe('test-summary.mjs', () => {
  it('without the corpus: says conformance did not run, just before the totals CI reads', () => {
    const { lines, status } = summarize({ unit: vitestReport(700, 0, 2) }, { corpus: false })
    expect(lines).toEqual([
      'unit: 700 passed, 0 failed',
      'conformance: not run (corpus absent)',
      'tests: 700 passed, 0 failed, 2 skipped',
    ])
    expect(status).toBe(0)
  })

  it('with the corpus: reports conformance on its own line and includes it in the totals', () => {
    const { lines, status } = summarize(
      {
        unit: vitestReport(700, 0),
        conformance: vitestReport(260, 1, 11),
        e2e: { stats: { expected: 30, flaky: 1, unexpected: 0, skipped: 3 } },
      },
      { corpus: true, failedStages: ['conformance'] },
    )
    expect(lines).toEqual([
      'unit: 700 passed, 0 failed',
      'e2e: 31 passed, 0 failed',
      'failed stages: conformance',
      'conformance: 260 passed, 1 failed (included in the totals below)',
      'tests: 991 passed, 1 failed, 14 skipped',
    ])
    expect(status).toBe(1)
  })

  it('counts a failed stage that left no report as one failure, and says when a present corpus gave no report', () => {
    const { lines, status } = summarize({}, { corpus: true, failedStages: ['lint', 'unit'] })
    expect(lines).toEqual([
      'failed stages: lint, unit',
      'conformance: not run (no report in test-results)',
      'tests: 0 passed, 2 failed, 0 skipped',
    ])
    expect(status).toBe(1)
  })

  it('names the seed of the shuffled order, and how to repeat it, just before the totals', () => {
    const { lines, status } = summarize({ integration: vitestReport(150, 1) }, { corpus: false, seed: '424242' })
    expect(lines).toEqual([
      'integration: 150 passed, 1 failed',
      'conformance: not run (corpus absent)',
      'order seed: 424242 (repeat: VIRTNET_TEST_SEED=424242 npm test, or npx vitest run --project <suite> --sequence.seed=424242)',
      'tests: 150 passed, 1 failed, 0 skipped',
    ])
    expect(status).toBe(1)
  })

  it('names each failed test with its file and first error line, from vitest and Playwright reports alike', () => {
    const { lines, status } = summarize(
      {
        integration: {
          ...vitestReport(10, 1),
          testResults: [
            {
              name: path.join(os.tmpdir(), 'elsewhere', 'lib', 'a.itest.ts'),
              status: 'failed',
              assertionResults: [
                { status: 'passed', fullName: 'fine' },
                {
                  status: 'failed',
                  fullName: 'forwards › pins a lease',
                  failureMessages: ['\u001b[31mAssertionError: expected 1 to be 2\u001b[39m\n    at line 3'],
                },
              ],
            },
            {
              name: 'lib/b.itest.ts',
              status: 'failed',
              message: 'Error: Hook timed out in 10000ms\nmore',
              assertionResults: [],
            },
          ],
        },
        e2e: {
          stats: { expected: 3, flaky: 0, unexpected: 1, skipped: 0 },
          suites: [
            {
              title: 'a11y.spec.ts',
              file: 'a11y.spec.ts',
              specs: [],
              suites: [
                {
                  title: 'dark scheme',
                  file: 'a11y.spec.ts',
                  specs: [
                    {
                      title: 'opens the palette',
                      file: 'a11y.spec.ts',
                      line: 12,
                      tests: [{ status: 'unexpected', results: [{ error: { message: 'TimeoutError: 5000ms' } }] }],
                    },
                  ],
                },
              ],
            },
          ],
        },
      },
      { corpus: false, failedStages: ['integration', 'e2e'] },
    )
    expect(lines.slice(0, 6)).toEqual([
      'integration: 10 passed, 1 failed',
      'e2e: 3 passed, 1 failed',
      'failed tests:',
      expect.stringMatching(
        /^ {2}integration .*lib\/a\.itest\.ts › forwards › pins a lease: AssertionError: expected 1 to be 2$/,
      ),
      '  integration lib/b.itest.ts: Error: Hook timed out in 10000ms',
      '  e2e a11y.spec.ts:12 › dark scheme › opens the palette: TimeoutError: 5000ms',
    ])
    expect(status).toBe(1)
  })
})
