import 'server-only'
import { db } from '@/lib/db/client'
import { Prisma } from '@/lib/db/generated/client'
import { OperatorError } from '@/lib/core/errors'
import { inPreview } from '@/lib/core/preview-scope'
import { oneAtATimePerKey } from '@/lib/core/one-at-a-time'
import { heartbeatMs, replicaId, staleAfterMs } from '@/lib/jobs/replica'

/*
 * Leases in the database (the Lease table), the same on SQLite and PostgreSQL: each step is one atomic statement. A
 * replica takes a free or expired lease, renews it while it works and gives it back; one whose replica died expires
 * after staleAfterMs and the next taker gets it.
 */

const later = (ms: number) => new Date(Date.now() + ms)

/** Takes the lease `key` for this replica if it is free, expired or already this replica's; true when it did. */
export async function tryLease(key: string, holder = replicaId): Promise<boolean> {
  try {
    await db.lease.create({ data: { key, holder, expiresAt: later(staleAfterMs) } })
    return true
  } catch (error) {
    if (!(error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002')) throw error
  }
  const { count } = await db.lease.updateMany({
    where: { key, OR: [{ expiresAt: { lt: new Date() } }, { holder }] },
    data: { holder, expiresAt: later(staleAfterMs) },
  })
  return count === 1
}

export async function renewLease(key: string, holder = replicaId): Promise<boolean> {
  const { count } = await db.lease.updateMany({ where: { key, holder }, data: { expiresAt: later(staleAfterMs) } })
  return count === 1
}

export async function releaseLease(key: string, holder = replicaId): Promise<void> {
  await db.lease.deleteMany({ where: { key, holder } })
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Runs `work` holding the lease `key`, waiting for it while another replica holds it (up to `waitMs`), renewing it
 * while the work runs and giving it back after, whatever the outcome.
 */
export async function withLease<T>(key: string, work: () => Promise<T>, waitMs = 120_000): Promise<T> {
  const deadline = Date.now() + waitMs
  while (!(await tryLease(key))) {
    if (Date.now() > deadline)
      throw new OperatorError('Another dashboard replica has been changing this for too long; try again in a moment.')
    await sleep(100 + Math.random() * 150)
  }
  const renewal = setInterval(() => void renewLease(key).catch(() => undefined), heartbeatMs)
  try {
    return await work()
  } finally {
    clearInterval(renewal)
    await releaseLease(key)
  }
}

/**
 * One after another per key across every replica sharing the database: in this process a queue (no polling among
 * its own callers), across processes the lease `scope:key`. A preview changes nothing and takes no lease.
 */
export function oneAtATimeAcrossReplicas(scope: string): <T>(key: string, work: () => Promise<T>) => Promise<T> {
  const inProcess = oneAtATimePerKey()
  return (key, work) => inProcess(key, () => (inPreview() ? work() : withLease(`${scope}:${key}`, work)))
}
