import { execFileSync } from 'node:child_process'
import { test, expect, signIn } from './fixtures'
import type { Page } from '@playwright/test'
import { e2eUsers } from './users'
import { e2eDatabase } from '../playwright.config'
import { totpCode } from '../lib/users/totp'

// Issue 20 "Sign-in": a user sets up the TOTP second factor on the Account page and signs in with a code, made here
// from the key the page shows, as an authenticator app would; a recovery code signs in once; an admin's policy sends
// a role's users to set up a factor before anything else.

function createUser(username: string, role: string, password: string) {
  execFileSync('npx', ['tsx', '--conditions=react-server', 'scripts/users.ts', 'create', username, role], {
    input: password,
    env: { ...process.env, DATABASE_URL: `file:${e2eDatabase}` },
    stdio: ['pipe', 'inherit', 'inherit'],
  })
}

const totpUser = { username: 'e2e-totp', role: 'operator', password: 'e2e-totp-password-1' } as const
const forcedUser = { username: 'e2e-totp-forced', role: 'auditor', password: 'e2e-totp-forced-password-1' } as const

async function passwordStep(page: Page, user: { username: string; password: string }) {
  await page.goto('/login')
  await page.getByLabel('User name').fill(user.username)
  await page.getByLabel('Password').fill(user.password)
  await page.getByRole('button', { name: 'Sign in' }).click()
}

test('set up a second factor, then sign in with a TOTP code and with a recovery code', async ({ page }) => {
  createUser(totpUser.username, totpUser.role, totpUser.password)
  await passwordStep(page, totpUser)
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible()
  await page.goto('/account')
  const section = page.getByRole('region', { name: 'Second factor' })
  await section.getByRole('button', { name: 'Set up a second factor' }).click()
  await expect(section.getByRole('img', { name: 'QR code of the second-factor key' })).toBeVisible()
  const secret = (await section.getByTestId('totp-secret').textContent())!.trim()
  await section.getByLabel('Code from the app').fill(totpCode(secret))
  await section.getByRole('button', { name: 'Confirm' }).click()
  const codes = section.getByTestId('recovery-codes').getByRole('listitem')
  await expect(codes).toHaveCount(10)
  const recoveryCode = (await codes.first().textContent())!.trim()

  await page.getByRole('button', { name: 'Sign out' }).click()
  await passwordStep(page, totpUser)
  // half signed in: the dashboard sends the browser back to the code form
  await expect(page.getByLabel('Code')).toBeVisible()
  await page.goto('/hosts')
  await expect(page).toHaveURL(/\/login$/)
  await page.getByLabel('Code').fill('000000' === totpCode(secret) ? '111111' : '000000')
  await page.getByRole('button', { name: 'Continue' }).click()
  await expect(page.getByRole('main').getByRole('alert')).toHaveText(
    'That code is not right. Type the newest code from your app, or a recovery code.',
  )
  // the next step's code: the one of the set-up's step was used (accepted within the one-step window)
  await page.getByLabel('Code').fill(totpCode(secret, Date.now() + 30_000))
  await page.getByRole('button', { name: 'Continue' }).click()
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible()
  await expect(page.getByRole('navigation', { name: 'Main' })).toContainText(totpUser.username)

  await page.getByRole('button', { name: 'Sign out' }).click()
  await passwordStep(page, totpUser)
  await page.getByLabel('Code').fill(recoveryCode)
  await page.getByRole('button', { name: 'Continue' }).click()
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible()
  await page.goto('/account')
  await expect(page.getByRole('region', { name: 'Second factor' })).toContainText('9 unused recovery codes left')
})

test("a role's policy sends its users to set up a factor first; an admin resets it", async ({ page, browser }) => {
  createUser(forcedUser.username, forcedUser.role, forcedUser.password)
  await signIn(page, e2eUsers.admin)
  await page.goto('/users')
  const policy = page.getByTestId(`second-factor-policy-${forcedUser.role}`)
  await policy.getByRole('button', { name: 'Require' }).click()
  await expect(policy).toContainText('Required')
  try {
    const context = await browser.newContext()
    const user = await context.newPage()
    await passwordStep(user, forcedUser)
    await expect(user).toHaveURL(/\/login\/enrol$/)
    await user.goto('/audit')
    await expect(user).toHaveURL(/\/login\/enrol$/)
    await user.getByRole('button', { name: 'Set up a second factor' }).click()
    const secret = (await user.getByTestId('totp-secret').textContent())!.trim()
    await user.getByLabel('Code from the app').fill(totpCode(secret))
    await user.getByRole('button', { name: 'Confirm' }).click()
    await expect(user.getByTestId('recovery-codes').getByRole('listitem')).toHaveCount(10)
    await user.getByRole('link', { name: 'I have noted them, continue' }).click()
    await expect(user.getByRole('navigation', { name: 'Main' })).toBeVisible()
    await context.close()

    await page.goto('/users')
    const card = page.getByTestId(`user-${forcedUser.username}`)
    await expect(card).toContainText('Second factor set up.')
    await card.getByRole('button', { name: 'Reset second factor' }).click()
    await page.getByRole('alertdialog').getByRole('button', { name: 'Reset second factor' }).click()
    await expect(card).toContainText('No second factor.')
  } finally {
    await page.goto('/users')
    await policy.getByRole('button', { name: 'Stop requiring' }).click()
    await expect(policy).toContainText('Optional')
  }
  await page.goto('/audit')
  for (const action of ['user.second-factor.policy', 'user.second-factor.enrol', 'user.second-factor.reset'])
    await expect(page.getByRole('main')).toContainText(action)
})
