import { test, expect, signIn } from './fixtures'
import { e2eUsers } from './users'

test('a wrong password is refused with a clear message, the right one signs in', async ({ page }) => {
  await page.goto('/hosts')
  await expect(page).toHaveURL(/\/login$/)
  await page.getByLabel('User name').fill(e2eUsers.operator.username)
  await page.getByLabel('Password').fill('not-the-password')
  await page.getByRole('button', { name: 'Sign in' }).click()
  await expect(page.getByRole('main').getByRole('alert')).toHaveText('Wrong user name or password.')

  await signIn(page, e2eUsers.operator)
  // Home is the fleet overview.
  await expect(page.getByRole('heading', { level: 1, name: 'Fleet' })).toBeVisible()
})

test('an auditor can read the audit log but not add hosts', async ({ page }) => {
  await signIn(page, e2eUsers.auditor)
  await page.goto('/audit')
  await expect(page.getByTestId('chain-status')).toContainText('Chain verified')
  await page.goto('/hosts')
  await expect(page.getByRole('heading', { name: 'Add a host' })).toHaveCount(0)
})
