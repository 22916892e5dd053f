import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { db } from '@/lib/db/client'
import { recordAudit } from '@/lib/audit/record'
import { auditFacets } from '@/lib/audit/query'
import { createTestUser, signIn } from '@/lib/test/server-actions'

vi.mock('next/headers', async () => (await import('@/lib/test/next-request')).nextHeadersModule)

const prefix = `vna-facets-${process.pid}`

beforeAll(async () => {
  await signIn(await createTestUser(`${prefix}-auditor`, 'auditor'))
  for (const [actor, host, action] of [
    ['b', 'host-2', 'x.two'],
    ['a', null, 'x.one'],
    ['b', 'host-1', 'x.one'],
  ] as const)
    await recordAudit({
      actor: { id: null, username: `${prefix}-${actor}` },
      host: host && { id: host, name: `${prefix}-${host}` },
      action: `${prefix}.${action}`,
      result: 'success',
    })
})

afterAll(async () => {
  await db.user.deleteMany({ where: { username: { startsWith: prefix } } })
})

describe("the audit page's drop-downs", () => {
  it('list each user, host and action once, sorted, and no empty host', async () => {
    const facets = await auditFacets()
    const ours = (values: string[]) => values.filter((value) => value.startsWith(prefix))
    expect(ours(facets.actors)).toEqual([`${prefix}-a`, `${prefix}-b`])
    expect(ours(facets.hosts)).toEqual([`${prefix}-host-1`, `${prefix}-host-2`])
    expect(ours(facets.actions)).toEqual([`${prefix}.x.one`, `${prefix}.x.two`])
    expect(facets.hosts).not.toContain(null)
    expect(new Set(facets.actors).size).toBe(facets.actors.length)
  })
})
