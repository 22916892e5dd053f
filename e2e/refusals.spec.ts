import { test, expect, signIn } from './fixtures'
import { e2eUsers } from './users'

test('a number typed oddly gets the one whole-number rule, in words', async ({ page }) => {
  await signIn(page, e2eUsers.admin)
  await page.goto('/hosts')
  await page.getByLabel('Name').fill('e2e-odd-port')
  await page.getByLabel('Address').fill('odd-port.example')
  await page.getByLabel('SSH port').fill('1e3')
  await page.getByRole('button', { name: 'Add host' }).click()
  await expect(page.locator('#port-error')).toHaveText(
    '"1e3" is not a whole number from 1 to 65535; use the digits 0-9 only.',
  )
})
