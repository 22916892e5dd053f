import { describe, expect, it } from 'vitest'
import { db } from '@/lib/db/client'
import { databaseProvider } from '@/lib/db/url'
import { recordAudit } from '@/lib/audit/record'
import { verifyAuditChain } from '@/lib/audit/verify'
import { raceChild } from '@/lib/test/race-child'

/*
 * Two dashboard replicas appending to one audit chain at once, as two processes on the one database (SQLite here,
 * PostgreSQL in scripts/test-all.sh's integration-postgres stage). The chain's unique prevHash refuses the second of
 * two records chained to the same tip (a fork), and recordAudit's loser retries on the new tip: every record gets in,
 * once, and the chain still verifies.
 */

type Outcome = { fork: 'appended' | 'refused'; ids: number[] }
const perProcess = 25

describe(`two processes appending to the audit chain at once (${databaseProvider()})`, () => {
  it('lets one of two records chained to the same tip in, and every retried append in once', async () => {
    // Both children chain their first record to this one.
    await recordAudit({ actor: { id: null, username: 'vnpg-race' }, action: 'itest.race.start', result: 'success' })
    const children = ['a', 'b'].map((label) =>
      raceChild<Outcome>('lib/test/audit-append-child.ts', [label, `${perProcess}`]),
    )
    await Promise.all(children.map((child) => child.ready))
    for (const child of children) child.start()
    const [a, b] = await Promise.all(children.map((child) => child.outcome))

    // The fork: exactly one of the two records on the same previous hash got in.
    expect([a!.fork, b!.fork].toSorted()).toEqual(['appended', 'refused'])
    // Every append of both, once. (Whether the two processes' later appends interleave is up to the scheduler and
    // the database's locks: on a loaded machine one may finish first, so it is not asserted; the fork above is the
    // race that matters.)
    const ids = [...a!.ids, ...b!.ids]
    expect(new Set(ids).size).toBe(2 * perProcess)
    expect(await db.auditEvent.count({ where: { id: { in: ids }, action: 'itest.race' } })).toBe(2 * perProcess)

    // One chain: no two records share a previous hash, and the whole log verifies (hashes, seals, tip checkpoint).
    const races = await db.auditEvent.findMany({
      where: { action: { startsWith: 'itest.race' } },
      select: { prevHash: true },
    })
    expect(new Set(races.map((r) => r.prevHash)).size).toBe(races.length)
    expect(await verifyAuditChain()).toMatchObject({ ok: true, broken: null, missing: null })
  })
})
