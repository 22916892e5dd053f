// The host health check as the host page runs it: its total time, and the round trip it shows (one command through
// the kept session). Both used to be thresholds in lib/hosts/health.itest.ts; here they are figures.
import { checkHealth } from '@/lib/hosts/health'
import type { HostTarget } from '@/lib/ssh'
import { percentile, report } from './stats'

export async function benchHealth(host: HostTarget) {
  await checkHealth(host) // the kept session exists before the measurement, as it does for a page
  const total: number[] = []
  const roundTrip: number[] = []
  for (let i = 0; i < 10; i++) {
    const started = performance.now()
    const health = await checkHealth(host)
    total.push(performance.now() - started)
    if (!health.reachable) throw new Error(`host health: ${health.error}`)
    roundTrip.push(health.latencyMs!)
  }
  report('health.check_p50_ms', percentile(total, 50), 'ms')
  report('health.round_trip_p50_ms', percentile(roundTrip, 50), 'ms')
}
