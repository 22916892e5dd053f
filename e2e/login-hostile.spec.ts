import { execFileSync } from 'node:child_process'
import http from 'node:http'
import Database from 'better-sqlite3'
import { test, expect, signIn } from './fixtures'
import { e2eUsers } from './users'
import { e2eDatabase } from '../playwright.config'
import type { APIRequestContext, Page } from '@playwright/test'

/*
 * The log-in as an attacker posts it (issue 11 "Log-in"): the real server action of the production build, its id
 * and body taken from a sign-in Chromium made, replayed as plain HTTP posts with whatever headers a script likes.
 * The target is a user of its own, so no other spec's sign-ins wait behind these guesses; its throttling rows are
 * taken back afterwards (the client-wide one too: every spec signs in from 127.0.0.1).
 */

const target = { username: `vnl-e2e-target-${process.pid}`, password: 'vnl-e2e-target-password-1' }
const wrong = 'not-the-password-at-all'

function sql<T>(run: (db: Database.Database) => T): T {
  const db = new Database(e2eDatabase)
  try {
    db.pragma('busy_timeout = 10000')
    return run(db)
  } finally {
    db.close()
  }
}

const forgetThrottling = () =>
  sql((db) => db.prepare(`DELETE FROM "LoginThrottle" WHERE "username" IN (?, '')`).run(target.username))

test.beforeAll(() => {
  execFileSync('npx', ['tsx', '--conditions=react-server', 'scripts/users.ts', 'create', target.username, 'operator'], {
    input: target.password,
    env: { ...process.env, DATABASE_URL: `file:${e2eDatabase}` },
    stdio: ['pipe', 'ignore', 'inherit'],
  })
})

test.afterEach(forgetThrottling)

test.afterAll(() => {
  execFileSync('npx', ['tsx', '--conditions=react-server', 'scripts/users.ts', 'delete', target.username], {
    env: { ...process.env, DATABASE_URL: `file:${e2eDatabase}` },
    stdio: ['ignore', 'ignore', 'inherit'],
  })
})

type CapturedPost = { url: string; headers: Record<string, string>; body: Buffer }

/** Chromium signs in with a wrong password once; the post it made (action id, body) is what a script replays. */
async function captureLoginPost(page: Page): Promise<CapturedPost> {
  await page.goto('/login')
  await page.getByLabel('User name').fill(target.username)
  await page.getByLabel('Password').fill(wrong)
  const posted = page.waitForRequest((request) => request.method() === 'POST' && !!request.headers()['next-action'])
  await page.getByRole('button', { name: 'Sign in' }).click()
  const request = await posted
  await expect(page.getByRole('main').getByRole('alert')).toHaveText('Wrong user name or password.')
  const sent = await request.allHeaders()
  const keep = ['content-type', 'next-action', 'next-router-state-tree', 'origin', 'accept']
  return {
    url: request.url(),
    headers: Object.fromEntries(keep.filter((name) => sent[name]).map((name) => [name, sent[name]!])),
    body: request.postDataBuffer()!,
  }
}

async function replay(api: APIRequestContext, post: CapturedPost, extraHeaders: Record<string, string> = {}) {
  const response = await api.post(post.url, { headers: { ...post.headers, ...extraHeaders }, data: post.body })
  expect(response.status()).toBe(200)
  const text = await response.text()
  if (text.includes('Wrong user name or password.')) return 'checked'
  if (text.includes('Too many failed attempts.')) return 'throttled'
  throw new Error(`The login answered neither a refusal nor a delay: ${text.slice(0, 300)}`)
}

test('a forged X-Forwarded-For neither escapes the limit nor reaches the audit log', async ({ page, request }) => {
  const minute = () => Math.floor(Date.now() / 60_000)
  const firstMinute = minute()
  const post = await captureLoginPost(page)
  const answers: string[] = []
  for (let i = 1; i <= 5; i++) answers.push(await replay(request, post, { 'X-Forwarded-For': `203.0.113.${i}` }))
  const minutesSpanned = minute() - firstMinute + 1
  // the captured attempt was checked too; throttled attempts are audited once per client and minute
  const checked = 1 + answers.filter((answer) => answer === 'checked').length
  expect(answers.filter((answer) => answer === 'throttled').length).toBeGreaterThan(0)

  await signIn(page, e2eUsers.auditor)
  const exported = await page.request.get(`/api/audit/export?format=json&actor=${target.username}`)
  expect(exported.status()).toBe(200)
  const events = (await exported.json()) as Array<{ action: string; params: { clientIp?: string } }>
  const addresses = events.filter((event) => event.action === 'auth.login').map((event) => event.params.clientIp)
  expect(addresses.length).toBeGreaterThanOrEqual(checked + 1)
  expect(addresses.length).toBeLessThanOrEqual(checked + minutesSpanned)
  expect(new Set(addresses)).toEqual(new Set(['127.0.0.1']))
  // Every guess was counted against the one client that sent them all: the socket's 127.0.0.1.
  const rows = sql((db) =>
    db.prepare(`SELECT "clientIp" FROM "LoginThrottle" WHERE "username" = ? ORDER BY "clientIp"`).all(target.username),
  )
  expect(rows).toEqual([{ clientIp: '127.0.0.1' }])
})

/** The replayed post from another loopback address: a second client, as the server's socket sees it. */
function postFrom(localAddress: string, post: CapturedPost): Promise<string> {
  const url = new URL(post.url)
  return new Promise((resolve, reject) => {
    const sent = http.request(
      { host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: post.headers, localAddress },
      (response) => {
        const chunks: Buffer[] = []
        response.on('data', (chunk: Buffer) => chunks.push(chunk))
        response.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
      },
    )
    sent.on('error', reject)
    sent.end(post.body)
  })
}

test('of 50 parallel wrong passwords for one user, at most 5 are checked', async ({ page }) => {
  const post = await captureLoginPost(page)
  forgetThrottling()
  // Plain Node HTTP, one connection each, all at once (a browser context would queue them a few at a time).
  const answers = await Promise.all(Array.from({ length: 50 }, () => postFrom('127.0.0.1', post)))
  const checked = answers.filter((answer) => answer.includes('Wrong user name or password.'))
  const throttled = answers.filter((answer) => answer.includes('Too many failed attempts.'))
  expect(checked.length).toBeLessThanOrEqual(5)
  expect(checked.length + throttled.length).toBe(50)
})

test('guesses from another client never lock the right password out', async ({ page }) => {
  const post = await captureLoginPost(page)
  const guesser = '127.0.0.3'
  try {
    for (let i = 0; i < 12; i++)
      expect(await postFrom(guesser, post)).toMatch(/Wrong user name or password\.|Too many failed attempts\./)
    await page.goto('/login')
    await page.getByLabel('User name').fill(target.username)
    await page.getByLabel('Password').fill(target.password)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible()
  } finally {
    sql((db) => db.prepare(`DELETE FROM "LoginThrottle" WHERE "clientIp" = ?`).run(guesser))
  }
})
