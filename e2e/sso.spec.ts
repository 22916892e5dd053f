import fs from 'node:fs'
import type { Page } from '@playwright/test'
import { test, expect } from './fixtures'
import { e2eDatabase } from '../playwright.config'
import { groupOverridesFile } from './oidc'

// Issue 20 "Sign-in": single sign-on through the local OpenID provider the tests start on loopback
// (scripts/e2e-oidc-provider.ts). The first sign-in creates the user with the role its groups map to, a later one
// follows a change of groups, and a name in no mapped group is refused in words.

const overrides = groupOverridesFile(e2eDatabase)

test.beforeEach(async ({ context }) => {
  // The provider's dev pages link a web font: nothing leaves this machine.
  await context.route(
    (url) => url.hostname !== '127.0.0.1',
    (route) => route.abort(),
  )
})

test.beforeAll(() => fs.rmSync(overrides, { force: true }))
test.afterAll(() => fs.rmSync(overrides, { force: true }))

async function signInThroughProvider(page: Page, login: string) {
  await page.goto('/login')
  await page.getByRole('link', { name: 'Sign in with Local test provider' }).click()
  await page.locator('input[name="login"]').fill(login)
  await page.locator('input[name="password"]').fill('any password the test provider takes')
  await page.getByRole('button', { name: 'Sign-in' }).click()
  await page.getByRole('button', { name: 'Continue' }).click()
}

test('sign in through the OpenID provider: created with the mapped role, the role follows the groups', async ({
  page,
}) => {
  await signInThroughProvider(page, 'oidc-admin')
  const nav = page.getByRole('navigation', { name: 'Main' })
  await expect(nav).toContainText('oidc-admin')
  await expect(nav).toContainText('Administrator')
  await expect(nav.getByRole('link', { name: 'Users' })).toBeVisible()
  await page.getByRole('button', { name: 'Sign out' }).click()
  // signed out at the provider too (its session cookie shares the host), so it asks for the login again
  await page.context().clearCookies()

  // at the provider, oidc-admin moves to the operators' group
  fs.writeFileSync(overrides, JSON.stringify({ 'oidc-admin': ['virtnet-ops'] }))
  await signInThroughProvider(page, 'oidc-admin')
  await expect(nav).toContainText('Operator')
  await expect(nav.getByRole('link', { name: 'Users' })).toHaveCount(0)
})

test('a name in no mapped group is refused in words, and nobody is signed in', async ({ page }) => {
  await signInThroughProvider(page, 'oidc-stranger')
  await expect(page).toHaveURL(/\/login\?sso=no-role$/)
  await expect(page.getByRole('alert')).toHaveText(
    'Your Local test provider account is in no group that Virtnet gives a role to. Ask an administrator for access.',
  )
  await page.goto('/hosts')
  await expect(page).toHaveURL(/\/login$/)
})
