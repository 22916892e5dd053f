import { appendFileSync } from 'node:fs'
import { AsyncLocalStorage } from 'node:async_hooks'

/*
 * Where the time of one user action goes (SSH round trips by host command, database, the rest), for the benchmark's
 * `name.phase_ms` lines. Only code run inside measurePhases() records anything: everywhere else notePhase() is one
 * lookup of an empty async context and returns, so the dashboard pays nothing for it.
 */

export type PhaseTotals = Map<string, { ms: number; count: number }>

// On globalThis: Next.js bundles the instrumentation hook (which makes the one database client) apart from the pages,
// and a query the pages' read makes through that client must find the pages' measurement.
const KEY = Symbol.for('virtnet.core.phases')
const current: AsyncLocalStorage<PhaseTotals> = ((globalThis as Record<symbol, unknown>)[KEY] ??=
  new AsyncLocalStorage<PhaseTotals>()) as AsyncLocalStorage<PhaseTotals>

/** Adds `ms` to the phase `name` of the measurement running now, if any. */
export function notePhase(name: string, ms: number): void {
  const totals = current.getStore()
  if (!totals) return
  const total = totals.get(name) ?? { ms: 0, count: 0 }
  total.ms += ms
  total.count += 1
  totals.set(name, total)
}

/** Whether a measurement is running (callers skip building phase names when not). */
export function measuringPhases(): boolean {
  return current.getStore() !== undefined
}

/** Times `work` under the phase `name` (only while measuring). */
export async function timedPhase<T>(name: string, work: () => Promise<T>): Promise<T> {
  if (!current.getStore()) return work()
  const t0 = performance.now()
  try {
    return await work()
  } finally {
    notePhase(name, performance.now() - t0)
  }
}

/** Runs `work` and returns its value, its wall time and the phases noted while it ran. */
export async function measurePhases<T>(work: () => Promise<T>): Promise<{ value: T; ms: number; phases: PhaseTotals }> {
  const phases: PhaseTotals = new Map()
  const t0 = performance.now()
  const value = await current.run(phases, work)
  return { value, ms: performance.now() - t0, phases }
}

/*
 * A server the benchmark starts (scripts/bench/host-tabs.ts) gets VIRTNET_PHASES_FILE: each page read wrapped in
 * journalPhases() then appends one line there, `{"label","ms","phases":{name:{ms,count}}}`, which the benchmark reads
 * after each visit to print the page's phases. Read once at start: unset (always, outside the benchmark), the wrapper
 * is one comparison.
 */
const journalFile = process.env.VIRTNET_PHASES_FILE || null

/** Runs `work`; when the benchmark asked for it, its wall time and phases go to the journal under `label`. */
export async function journalPhases<T>(label: string, work: () => Promise<T>): Promise<T> {
  if (!journalFile || current.getStore()) return work()
  const { value, ms, phases } = await measurePhases(work)
  appendFileSync(journalFile, `${JSON.stringify({ label, ms, phases: Object.fromEntries(phases) })}\n`)
  return value
}
