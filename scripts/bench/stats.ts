import type { PhaseTotals } from '@/lib/core/phases'

/** VIRTNET_BENCH_QUICK=1 leaves out the slow comparisons with the old ways (classic hook, one net-update each). */
export const quick = process.env.VIRTNET_BENCH_QUICK === '1'

export function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!
}

/** One figure per line, `name: value unit`, so later benchmarks add lines the same way. */
export function report(name: string, value: number, unit: string) {
  const digits = value >= 100 ? 0 : value >= 10 ? 1 : 3
  console.log(`${name}: ${value.toFixed(digits)} ${unit}`)
}

/**
 * Where one measured action's time went: `name.phase.PHASE_ms` per phase (host commands by program, each SSH round
 * trip's full time; the database), `name.round_trips`, and `name.phase.rest_ms` for the dashboard's own work (wall
 * time less the phases; phases that overlap, as parallel reads do, can add up to more than the wall time).
 */
export function reportPhases(name: string, measured: { ms: number; phases: PhaseTotals }) {
  let sum = 0
  let roundTrips = 0
  for (const [phase, total] of [...measured.phases].sort((a, b) => b[1].ms - a[1].ms)) {
    report(`${name}.phase.${phase}_ms`, total.ms, total.count === 1 ? 'ms' : `ms (${total.count}×)`)
    sum += total.ms
    if (phase.startsWith('ssh_')) roundTrips += total.count
  }
  report(`${name}.phase.rest_ms`, Math.max(0, measured.ms - sum), 'ms')
  report(`${name}.round_trips`, roundTrips, 'trips')
}
