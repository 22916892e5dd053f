import { test, expect, signIn } from './fixtures'
import { e2eUsers } from './users'
import type { APIResponse, Response } from '@playwright/test'
import { e2ePort } from '../playwright.config'

/*
 * The web layer (issue 11): every response of the production build carries the security headers, and the pages work
 * under the Content-Security-Policy they are served with (Chromium reports no violation).
 */

function expectSecurityHeaders(response: Response | APIResponse, what: string) {
  const headers = response.headers()
  expect.soft(headers['content-security-policy'], what).toContain("frame-ancestors 'none'")
  expect.soft(headers['content-security-policy'], what).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+'/)
  expect.soft(headers['x-content-type-options'], what).toBe('nosniff')
  expect.soft(headers['referrer-policy'], what).toBe('same-origin')
  expect.soft(headers['x-frame-options'], what).toBe('DENY')
}

test('every response carries the security headers: pages, scripts, styles, API, not found, server actions', async ({
  page,
}) => {
  const seen: Response[] = []
  page.on('response', (response) => {
    if (response.url().startsWith(`http://127.0.0.1:${e2ePort}/`)) seen.push(response)
  })
  await signIn(page, e2eUsers.auditor)
  await page.goto('/audit')
  const kinds = new Set(seen.map((response) => response.request().resourceType()))
  expect([...kinds]).toEqual(expect.arrayContaining(['document', 'script', 'stylesheet']))
  for (const response of seen) expectSecurityHeaders(response, `${response.request().method()} ${response.url()}`)

  expectSecurityHeaders(await page.request.get('/api/audit/export?format=json&actor=nobody'), 'API route')
  expectSecurityHeaders(await page.request.get('/no-such-page'), 'not found')
  expectSecurityHeaders(await page.request.get('/logo.svg'), 'public file')
})

test('the pages run under their Content-Security-Policy without a violation', async ({ page }) => {
  const violations: string[] = []
  page.on('console', (message) => {
    if (/Content Security Policy|Content-Security-Policy/i.test(message.text())) violations.push(message.text())
  })
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) =>
      console.error(`Content Security Policy violation: ${event.violatedDirective} ${event.blockedURI}`),
    )
  })
  await signIn(page, e2eUsers.admin)
  for (const path of ['/hosts', '/audit', '/users', '/account', '/jobs', '/no-such-page']) {
    await page.goto(path)
    await expect(page.locator('body')).toBeVisible()
  }
  // Next's scripts ran, not only the server's HTML: the app router's client announces itself on window.
  await page.goto('/hosts')
  await expect
    .poll(() => page.evaluate(() => typeof (window as { next?: { version?: string } }).next?.version))
    .toBe('string')
  expect(violations).toEqual([])
})
