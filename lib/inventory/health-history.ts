import 'server-only'
import { db } from '@/lib/db/client'
import type { HostHealth } from '@/lib/hosts/health-types'

/** How long reachability and round-trip samples are kept per host. */
export const HEALTH_RETENTION_MS = 7 * 24 * 3600_000
/** And at most this many per host (a refresh every two minutes for a week is about 5 000). */
export const HEALTH_MAX_SAMPLES = 6_000

/** Stores one sample and drops what falls outside the retention: older than a week, or beyond the count. */
export async function recordHealthSample(hostId: string, health: HostHealth, at = new Date(health.checkedAt)) {
  await db.healthSample.create({
    data: { hostId, at, reachable: health.reachable, latencyMs: health.latencyMs ?? null },
  })
  await db.healthSample.deleteMany({ where: { hostId, at: { lt: new Date(at.getTime() - HEALTH_RETENTION_MS) } } })
  const overflow = await db.healthSample.findMany({
    where: { hostId },
    orderBy: { at: 'desc' },
    skip: HEALTH_MAX_SAMPLES,
    take: 1,
    select: { at: true },
  })
  if (overflow[0]) await db.healthSample.deleteMany({ where: { hostId, at: { lte: overflow[0].at } } })
}
