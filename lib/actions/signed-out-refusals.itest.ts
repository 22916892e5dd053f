import { afterAll, describe, expect, it, vi } from 'vitest'
import { z } from 'zod'
import { db } from '@/lib/db/client'
import { runAction, auditedInputBudget } from '@/lib/actions/run-action'
import {
  admitRefusal,
  maxClientsPerMinute,
  moreClients,
  refusalSummaryAction,
  refusalWindowMs,
  summarizeUnrecordedRefusals,
} from '@/lib/audit/refusals'
import { request } from '@/lib/test/next-request'
import { clientHeaders } from '@/lib/config/client-address'

/*
 * Refusals of signed-out requests, through runAction as a server action runs it: the real database and audit log;
 * only the request (no session cookie, the client address the server process read from the socket,
 * lib/boot/request-origin.ts) is stood in for.
 */
vi.mock('next/headers', async () => (await import('@/lib/test/next-request')).nextHeadersModule)

const prefix = `vna-refusals-${process.pid}`
const minuteNow = () => Math.floor(Date.now() / refusalWindowMs)

/** Posts `fields` to an action that needs a session, signed out, from `client`. */
function postSignedOut(action: string, client: string, fields: Record<string, string>) {
  request.cookies.clear()
  request.headers.set(clientHeaders.address, client)
  const form = new FormData()
  for (const [name, value] of Object.entries(fields)) form.append(name, value)
  return runAction(
    { action, permission: 'manageNetworks', schema: z.object({}), input: form },
    async () => 'should not run',
  )
}

afterAll(async () => {
  await db.auditRefusalWindow.deleteMany({ where: { client: { startsWith: prefix } } })
})

describe('refusals of signed-out requests', () => {
  it('keep a bounded record however many and however large the fields posted', async () => {
    const fields = Object.fromEntries(
      Array.from({ length: 200 }, (_, i) => [`${'f'.repeat(95)}${String(i).padStart(3, '0')}`, 'v'.repeat(600)]),
    )
    const state = await postSignedOut(`${prefix}.big`, `${prefix}-big`, fields)
    expect(state).toMatchObject({ status: 'error', message: 'You are not signed in.' })
    const record = await db.auditEvent.findFirstOrThrow({ where: { action: `${prefix}.big` } })
    expect(record.params.length).toBeLessThan(auditedInputBudget + 1000)
    const params = JSON.parse(record.params) as Record<string, string>
    expect(params[`${'f'.repeat(95)}000`]).toBe(`${'v'.repeat(500)}… (600 characters)`)
    expect(params['(not kept)']).toMatch(/^\d+ more fields of 200$/)
  })

  it('write one record per client and minute, however fast they come, and a summary of the rest', async () => {
    const action = `${prefix}.flood`
    const client = `${prefix}-flood`
    const firstMinute = minuteNow()
    const states = await Promise.all(
      Array.from({ length: 40 }, (_, i) => postSignedOut(action, client, { name: `try-${i}` })),
    )
    const lastMinute = minuteNow()
    expect(states.every((state) => state.message === 'You are not signed in.')).toBe(true)
    const own = await db.auditEvent.count({ where: { action } })
    // One per minute the flood touched: one, or two when it ran across the turn of a minute.
    expect(own).toBeGreaterThanOrEqual(1)
    expect(own).toBeLessThanOrEqual(lastMinute - firstMinute + 1)

    // Once the minute is over, the refusals without a record of their own are named in one summary record.
    await summarizeUnrecordedRefusals(new Date((lastMinute + 1) * refusalWindowMs))
    const summaries = await db.auditEvent.findMany({ where: { action: refusalSummaryAction, target: client } })
    const unrecorded = summaries.map((summary) => (JSON.parse(summary.params) as { unrecorded: number }).unrecorded)
    expect(own + unrecorded.reduce((sum, n) => sum + n, 0)).toBe(40)
    expect(summaries.length).toBeLessThanOrEqual(lastMinute - firstMinute + 1)
    expect(summaries[0]).toMatchObject({
      actorName: '(anonymous)',
      result: 'refused',
      error: expect.stringMatching(
        new RegExp(`^\\d+ more refused requests? without a session from ${client} between .* \\(one record per`),
      ),
    })
  })

  it('count a client changing its address every request in one shared bucket past the limit', async () => {
    // A minute long past, so that no other refusal shares it; the windows are counted, no records written here.
    const at = new Date(Date.UTC(2001, 0, 1, 0, 0, 30))
    const minute = Math.floor(at.getTime() / refusalWindowMs)
    try {
      const admitted = []
      for (let i = 0; i < maxClientsPerMinute + 50; i++) admitted.push(await admitRefusal(`${prefix}-rot-${i}`, at))
      expect(admitted.filter((a) => a.ownRecord)).toHaveLength(maxClientsPerMinute + 1)
      expect(admitted.slice(maxClientsPerMinute).map((a) => a.bucket)).toEqual(Array(50).fill(moreClients))
      // A client already counted in that minute stays in its own window.
      expect(await admitRefusal(`${prefix}-rot-0`, at)).toEqual({ bucket: `${prefix}-rot-0`, ownRecord: false })
    } finally {
      await db.auditRefusalWindow.deleteMany({ where: { minute } })
    }
  })
})
