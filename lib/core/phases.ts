import { AsyncLocalStorage } from 'node:async_hooks'

/*
 * Where the time of one user action goes (SSH round trips by host command, database, the rest), for the benchmark's
 * `name.phase_ms` lines. Only code run inside measurePhases() records anything: everywhere else notePhase() is one
 * lookup of an empty async context and returns, so the dashboard pays nothing for it.
 */

export type PhaseTotals = Map<string, { ms: number; count: number }>

const current = new AsyncLocalStorage<PhaseTotals>()

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
