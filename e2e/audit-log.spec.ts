import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { test, expect, signIn } from './fixtures'
import { e2eUsers } from './users'
import { postAction, serverAction } from './post-action'
import type { Page } from '@playwright/test'

/*
 * The audit log against the production build, as a script without a session or a reviewer with an export would use
 * it: plain HTTP posts with the real server-action id, the export route, the audit page.
 */

const minuteNow = () => Math.floor(Date.now() / 60_000)
type Exported = {
  id: number
  target: string | null
  action: string
  result: string
  error: string | null
  params: Record<string, unknown>
}

async function exportJson(page: Page, query: string): Promise<Exported[]> {
  const response = await page.request.get(`/api/audit/export?format=json&${query}`)
  expect(response.status()).toBe(200)
  return (await response.json()) as Exported[]
}

test('a flood of signed-out posts writes one capped record per client and minute, and one summary', async ({
  page,
  playwright,
}) => {
  test.setTimeout(240_000)
  const marker = `vna-flood-${Date.now().toString(36)}`
  const addHost = serverAction('addHostAction')
  // A documentation address of its own, so that no other test's signed-out request shares its minute.
  const client = `198.51.100.${Math.floor(Math.random() * 250) + 1}`
  const script = await playwright.request.newContext({ baseURL: test.info().project.use.baseURL })
  const firstMinute = minuteNow()
  const big = Object.fromEntries(
    Array.from({ length: 200 }, (_, i) => [`field-${String(i).padStart(3, '0')}-${'n'.repeat(90)}`, 'v'.repeat(600)]),
  )
  const posts = 60
  for (let i = 0; i < posts; i++) {
    const response = await postAction(
      script,
      addHost,
      { marker, try: String(i), ...(i === 0 ? big : {}) },
      {
        'X-Forwarded-For': client,
      },
    )
    expect(await response.text()).toContain('You are not signed in.')
  }
  const lastMinute = minuteNow()
  await script.dispose()

  await signIn(page, e2eUsers.auditor)
  const own = (await exportJson(page, 'actor=(anonymous)&action=host.add')).filter((r) => r.params.marker === marker)
  expect(own.length).toBeGreaterThanOrEqual(1)
  expect(own.length).toBeLessThanOrEqual(lastMinute - firstMinute + 1)
  // The first post carried 200 fields of 700 characters; its record keeps about 4 KB of them and says so.
  expect(JSON.stringify(own[0]!.params).length).toBeLessThan(5_000)
  expect(own[0]!.params['(not kept)']).toMatch(/^\d+ more fields of 202$/)
  const seenAs = own[0]!.target!

  // Once the minute is over, the audit page summarizes the refusals that got no record of their own.
  const unrecorded = async () => {
    await page.goto('/audit')
    const summaries = (await exportJson(page, 'action=audit.unrecorded-refusals')).filter((r) => r.target === seenAs)
    return summaries.reduce((sum, r) => sum + Number(r.params.unrecorded), 0)
  }
  // Polled more often than Next's keep-alive timeout (5 s), so that no request reuses a connection the server is closing.
  await expect.poll(unrecorded, { timeout: 150_000, intervals: [2_000] }).toBe(posts - own.length)
})

test('the audit page says where the seal key is and that it stays out of database backups', async ({ page }) => {
  await signIn(page, e2eUsers.auditor)
  await page.goto('/audit')
  const keyFile = path.resolve(
    process.env.VIRTNET_AUDIT_KEY_FILE ?? path.join(process.env.VIRTNET_DATA_DIR ?? 'data', 'audit', 'seal.key'),
  )
  await expect(page.getByTestId('seal-key')).toContainText(`The seal key is ${keyFile}.`)
  await expect(page.getByTestId('seal-key')).toContainText('must not travel with the database or its backups')
  await expect(page.getByTestId('chain-status')).toContainText('the end of the log matches the tip checkpoint')
})

test('the audit export route: refused signed out, CSV and JSON for an auditor, the JSON checked with the key', async ({
  page,
  playwright,
}) => {
  const anonymous = await playwright.request.newContext({ baseURL: test.info().project.use.baseURL })
  const refused = await anonymous.get('/api/audit/export?format=json')
  expect(refused.status()).toBe(401)
  expect(await refused.json()).toEqual({ error: 'You are not signed in.' })
  await anonymous.dispose()

  await signIn(page, e2eUsers.auditor)
  const csv = await page.request.get(
    `/api/audit/export?format=csv&action=auth.login&actor=${e2eUsers.auditor.username}`,
  )
  expect(csv.status()).toBe(200)
  expect(csv.headers()['content-type']).toBe('text/csv; charset=utf-8')
  expect(csv.headers()['content-disposition']).toMatch(/^attachment; filename="virtnet-audit-.*\.csv"$/)
  const lines = (await csv.text()).trim().split('\r\n')
  expect(lines[0]).toBe('id,at,actorName,hostName,action,target,result,error,params,commands,prevHash,hash,seal')
  expect(lines.length).toBeGreaterThan(1)
  expect(lines.slice(1).every((line) => line.includes(`,${e2eUsers.auditor.username},,auth.login,`))).toBe(true)

  const records = await exportJson(page, `actor=${e2eUsers.auditor.username}`)
  expect(records.length).toBeGreaterThan(0)
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'vna-export-')), 'export.json')
  fs.writeFileSync(file, JSON.stringify(records))
  const verified = execFileSync('npx', ['tsx', '--conditions=react-server', 'scripts/audit-verify.ts', file], {
    encoding: 'utf8',
  })
  expect(verified).toContain(`OK: ${records.length} records, ${records.length} with a valid seal`)
  fs.rmSync(path.dirname(file), { recursive: true, force: true })
})
