import { execFileSync } from 'node:child_process'
import Database from 'better-sqlite3'
import { test, expect } from './fixtures'
import type { Page } from '@playwright/test'
import { e2eUsers } from './users'
import { e2eDatabase } from '../playwright.config'

/*
 * Issue 17 "Polish": no page ends on Next.js's generic error page. A page that throws says so in words with a
 * retry, inside the dashboard; something that does not exist says "Not found".
 */

function sql<T>(run: (db: Database.Database) => T): T {
  const db = new Database(e2eDatabase)
  try {
    db.pragma('busy_timeout = 10000')
    return run(db)
  } finally {
    db.close()
  }
}

test('a page that throws shows the reason in words and a retry, never the generic error page', async ({
  adminPage: page,
}) => {
  // A job row whose date is bytes the database client cannot read: the job page's own query throws on it.
  const jobId = `vnpolish-broken-${process.pid}`
  sql((db) =>
    db
      .prepare(
        `INSERT INTO "Job" ("id", "kind", "title", "status", "actorName", "createdAt") VALUES (?, 'plan', 'broken', 'failed', 'e2e', X'00ff')`,
      )
      .run(jobId),
  )
  try {
    await page.goto(`/jobs/${jobId}`)
    const error = page.getByTestId('page-error')
    await expect(error).toContainText('This page could not be shown')
    await expect(error).toContainText('The server hit an unexpected error while building this page.')
    await expect(error.getByText(/^[0-9a-z]+$/)).toBeVisible()
    await expect(page.getByText('Application error')).toHaveCount(0)
    // the sidebar stays: the boundary replaces the page only
    await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible()

    // Fixed behind its back, "Try again" shows the job.
    sql((db) => db.prepare(`UPDATE "Job" SET "createdAt" = ? WHERE "id" = ?`).run(new Date().toISOString(), jobId))
    await error.getByRole('button', { name: 'Try again' }).click()
    await expect(page.getByTestId('page-error')).toHaveCount(0)
    await expect(page.getByText('broken')).toBeVisible()
  } finally {
    sql((db) => db.prepare(`DELETE FROM "Job" WHERE "id" = ?`).run(jobId))
  }
})

test('a job, host or address that does not exist is "Not found"', async ({ adminPage: page }) => {
  const missingJob = await page.goto('/jobs/vnpolish-no-such-job')
  expect(missingJob?.status()).toBe(404)
  await expect(page.getByTestId('not-found')).toContainText('Nothing is here')
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible()

  const missingHost = await page.goto('/hosts/vnpolish-no-such-host/networks')
  expect(missingHost?.status()).toBe(404)
  await expect(page.getByRole('heading', { name: 'Not found' })).toBeVisible()

  const nowhere = await page.goto('/vnpolish/nowhere')
  expect(nowhere?.status()).toBe(404)
  await expect(page.getByRole('heading', { name: 'Not found' })).toBeVisible()
})

/** Signs in as any user (the fixtures' signIn takes only the e2e users). */
async function signInAs(page: Page, user: { username: string; password: string }) {
  await page.goto('/login')
  await page.getByLabel('User name').fill(user.username)
  await page.getByLabel('Password').fill(user.password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible()
}

test('an admin disables, enables, resets the password of and signs out a user; each asks first', async ({
  adminPage: page,
  browser,
}) => {
  // Eight round trips through scrypt-hashed sign-ins and resets: more than the default budget on a busy machine.
  test.setTimeout(300_000)
  const user = { username: `vnpolish-user-${process.pid}`, role: 'operator', password: 'vnpolish-first-password-1' }
  execFileSync('npx', ['tsx', '--conditions=react-server', 'scripts/users.ts', 'create', user.username, user.role], {
    input: user.password,
    env: { ...process.env, DATABASE_URL: `file:${e2eDatabase}` },
    stdio: ['pipe', 'ignore', 'inherit'],
  })
  try {
    const theirs = await (await browser.newContext()).newPage()
    await signInAs(theirs, user)

    await page.goto('/users')
    const card = page.getByTestId(`user-${user.username}`)
    // Disabling asks; cancelled, they stay signed in.
    await card.getByRole('button', { name: 'Disable' }).click()
    const dialog = page.getByRole('alertdialog', { name: `Disable ${user.username}?` })
    await expect(dialog).toContainText('signed out everywhere')
    await dialog.getByRole('button', { name: 'Cancel' }).click()
    await theirs.goto('/jobs')
    await expect(theirs).toHaveURL(/\/jobs$/)
    // Confirmed: their session ends and sign-in is refused.
    await card.getByRole('button', { name: 'Disable' }).click()
    await dialog.getByRole('button', { name: 'Disable user' }).click()
    await expect(card).toContainText('disabled')
    await theirs.goto('/jobs')
    await expect(theirs).toHaveURL(/\/login/)
    await theirs.getByLabel('User name').fill(user.username)
    await theirs.getByLabel('Password').fill(user.password)
    await theirs.getByRole('button', { name: 'Sign in' }).click()
    await expect(theirs).toHaveURL(/\/login/)

    await card.getByRole('button', { name: 'Enable' }).click()
    await expect(card.getByRole('button', { name: 'Disable' })).toBeVisible()

    // A reset shows a one-time password once; the old one no longer works, the new one signs in to a form that asks
    // for their own before anything else.
    await card.getByRole('button', { name: 'Reset password' }).click()
    await page.getByRole('alertdialog').getByRole('button', { name: 'Reset password' }).click()
    const shown = card.getByText(/shown only now: /)
    await expect(shown).toBeVisible()
    const fresh = (await shown.textContent())!.match(/shown only now: (\S+)/)![1]!
    await theirs.goto('/login')
    await theirs.getByLabel('User name').fill(user.username)
    await theirs.getByLabel('Password').fill(fresh)
    await theirs.getByRole('button', { name: 'Sign in' }).click()
    await expect(theirs.getByRole('heading', { name: 'Choose a new password' })).toBeVisible()
    await theirs.goto('/jobs')
    await expect(theirs).toHaveURL(/\/login\/new-password$/)
    await theirs.getByLabel('New password (12 characters or more)').fill('vnpolish-my-own-password')
    await theirs.getByLabel('New password again').fill('vnpolish-my-own-password')
    await theirs.getByRole('button', { name: 'Set password and continue' }).click()
    await expect(theirs.getByRole('navigation', { name: 'Main' })).toBeVisible()

    // Ending their sessions signs them out.
    await card.getByRole('button', { name: 'End sessions' }).click()
    await page.getByRole('alertdialog').getByRole('button', { name: 'End sessions' }).click()
    await expect(page.getByText(`${user.username} is signed out (1 session ended).`)).toBeVisible()
    await theirs.goto('/jobs')
    await expect(theirs).toHaveURL(/\/login/)

    // A new role.
    await card.getByLabel('Role', { exact: true }).selectOption('auditor')
    await card.getByRole('button', { name: 'Change role' }).click()
    await expect(card.getByRole('heading')).toContainText('Auditor')

    await page.goto(`/audit?actor=${e2eUsers.admin.username}`)
    const audit = page.getByTestId('audit-table')
    for (const action of ['user.set-disabled', 'user.reset-password', 'user.end-sessions', 'user.set-role'])
      await expect(audit.getByRole('row', { name: new RegExp(`${action}.*success`) }).first()).toBeVisible()
    await expect(audit).not.toContainText(fresh)
    await page.goto(`/audit?actor=${user.username}`)
    await expect(audit.getByRole('row', { name: /user\.password\.choose.*success/ })).toBeVisible()
  } finally {
    execFileSync('npx', ['tsx', '--conditions=react-server', 'scripts/users.ts', 'delete', user.username], {
      env: { ...process.env, DATABASE_URL: `file:${e2eDatabase}` },
      stdio: ['ignore', 'ignore', 'inherit'],
    })
  }
})

test('a table sorts by a click on its heading and filters by a search over its cells', async ({ adminPage: page }) => {
  await page.goto(`/audit?actor=${e2eUsers.admin.username}`)
  const table = page.getByTestId('audit-table')
  const ids = async () =>
    (await table.locator('tbody tr td:first-child').allTextContents()).map((text) => Number(text.trim()))
  const newestFirst = await ids()
  expect(newestFirst.length).toBeGreaterThan(3)

  const heading = table.getByRole('columnheader', { name: '#' })
  await heading.getByRole('button').click()
  await expect(heading).toHaveAttribute('aria-sort', 'ascending')
  expect(await ids()).toEqual([...newestFirst].sort((a, b) => a - b))
  await heading.getByRole('button').click()
  await expect(heading).toHaveAttribute('aria-sort', 'descending')
  expect(await ids()).toEqual([...newestFirst].sort((a, b) => b - a))

  // The search keeps the rows whose cells contain the text: here the time of one record, to the second.
  const time = (await table.locator('tbody tr').nth(1).locator('td').nth(1).textContent())!.trim()
  await page.getByRole('searchbox', { name: 'Search audit table' }).fill(time)
  await expect(table.locator('tbody tr')).not.toHaveCount(newestFirst.length)
  for (const row of await table.locator('tbody tr').allTextContents()) expect(row).toContain(time)
  await page.getByRole('searchbox', { name: 'Search audit table' }).fill('vnpolish-matches-nothing')
  await expect(table).toContainText('No row matches “vnpolish-matches-nothing”.')
})
