import type { PhaseTotals } from '@/lib/core/phases'

/** VIRTNET_BENCH_QUICK=1 leaves out the slow comparisons with the old ways (classic hook, one net-update each). */
export const quick = process.env.VIRTNET_BENCH_QUICK === '1'

export function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!
}

/**
 * The figures the issues set a target for: `max` for a time or size that must stay at or below it, `min` for a ratio
 * that must reach it. Printed beside the figure, so a run shows at a glance what is met.
 */
export const targets: Record<string, { max?: number; min?: number }> = {
  'page.tabs_p95_ms': { max: 150 },
  'forwards.add_to_live_ms': { max: 300 },
  'forwards.apply1000_ms': { max: 100 },
  'dhcp.single_apply_ms': { max: 150 },
  'dhcp.bulk500_ms': { max: 1000 },
  'ssh.session_p50_ms': { max: 0.6 },
  'forwards.nft_speedup': { min: 20 },
  'forwards.nft_add_to_live_ms': { max: 1000 },
}

const formatted = (value: number) => value.toFixed(value >= 100 ? 0 : value >= 10 ? 1 : 3)

/**
 * One figure per line, `name: value unit`, so later benchmarks add lines the same way. A figure with a target gets
 * two more: `name.target_max` (or `_min`) and `name.target_met` (1 or 0).
 */
export function report(name: string, value: number, unit: string) {
  console.log(`${name}: ${formatted(value)} ${unit}`)
  const target = targets[name]
  if (!target) return
  const [bound, limit] = target.max !== undefined ? ['max', target.max] : ['min', target.min!]
  console.log(`${name}.target_${bound}: ${formatted(limit)} ${unit}`)
  console.log(`${name}.target_met: ${(bound === 'max' ? value <= limit : value >= limit) ? 1 : 0} bool`)
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
