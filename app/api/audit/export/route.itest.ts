import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { NextRequest } from 'next/server'
import { db } from '@/lib/db/client'
import { recordAudit } from '@/lib/audit/record'
import { createTestUser, signIn, browseSignedOut, type TestUser } from '@/lib/test/server-actions'
import { GET } from './route'

/*
 * The audit export through its route handler with a real NextRequest: the session cookie of a real user (the request
 * harness of lib/test/next-request.ts), the real database. The production build answers the same (e2e/audit-log).
 */
vi.mock('next/headers', async () => (await import('@/lib/test/next-request')).nextHeadersModule)

const prefix = `vna-export-${process.pid}`
let auditor: TestUser
let selfService: TestUser

const get = (query: string) => GET(new NextRequest(`http://127.0.0.1/api/audit/export?${query}`))

beforeAll(async () => {
  auditor = await createTestUser(`${prefix}-auditor`, 'auditor')
  selfService = await createTestUser(`${prefix}-self`, 'selfservice')
  const actor = { id: null, username: prefix }
  await recordAudit({ actor, action: `${prefix}.one`, target: 'a,b', result: 'success', params: { n: 1 } })
  await recordAudit({ actor, action: `${prefix}.two`, target: '=cmd()', result: 'refused', error: 'said "no"' })
})

afterAll(async () => {
  await db.user.deleteMany({ where: { username: { startsWith: prefix } } })
})

describe('GET /api/audit/export', () => {
  it('refuses a request without a session (401) and a role without the audit log (403)', async () => {
    browseSignedOut()
    const anonymous = await get('format=json')
    expect(anonymous.status).toBe(401)
    expect(await anonymous.json()).toEqual({ error: 'You are not signed in.' })
    await signIn(selfService)
    const forbidden = await get('format=json')
    expect(forbidden.status).toBe(403)
  })

  it('refuses a filter it cannot apply (400) instead of exporting every record', async () => {
    await signIn(auditor)
    const response = await get('format=csv&result=maybe')
    expect(response.status).toBe(400)
    expect(await response.json()).toEqual({ error: 'Filter by the result success, failure or refused.' })
  })

  it('streams the filtered records as JSON, oldest first, params and commands parsed', async () => {
    await signIn(auditor)
    const response = await get(`format=json&actor=${prefix}`)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8')
    expect(response.headers.get('cache-control')).toBe('no-store')
    const records = (await response.json()) as Array<Record<string, unknown>>
    expect(records.map((r) => [r.action, r.target, r.result, r.params, r.commands])).toEqual([
      [`${prefix}.one`, 'a,b', 'success', { n: 1 }, []],
      [`${prefix}.two`, '=cmd()', 'refused', {}, []],
    ])
    expect(records[0]).toMatchObject({ hash: expect.stringMatching(/^[0-9a-f]{64}$/), seal: expect.any(String) })
  })

  it('streams CSV with a header row, quoting separators and defusing formulas', async () => {
    await signIn(auditor)
    const response = await get(`format=csv&actor=${prefix}&result=refused`)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="virtnet-audit-[\dTZ-]+\.csv"$/)
    const lines = (await response.text()).split('\r\n')
    expect(lines[0]).toBe('id,at,actorName,hostName,action,target,result,error,params,commands,prevHash,hash,seal')
    expect(lines).toHaveLength(3)
    expect(lines[1]).toMatch(
      new RegExp(`^\\d+,[^,]+,${prefix},,${prefix}\\.two,'=cmd\\(\\),refused,"said ""no""",\\{\\},\\[\\],`),
    )
    expect(lines[2]).toBe('')
  })
})
