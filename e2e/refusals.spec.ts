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

test('an audit export with a filter longer than any value is refused, not widened to every record', async ({
  page,
}) => {
  await signIn(page, e2eUsers.auditor)
  const refused = await page.request.get(`/api/audit/export?format=json&actor=${'a'.repeat(224)}`)
  expect(refused.status()).toBe(400)
  expect(await refused.json()).toEqual({ error: 'The user filter is longer than any user (at most 100 characters).' })
  const exported = await page.request.get(`/api/audit/export?format=json&actor=${e2eUsers.auditor.username}`)
  expect(exported.status()).toBe(200)
  await page.goto(`/audit?actor=${'a'.repeat(224)}`)
  await expect(page.getByRole('alert').filter({ hasText: 'This filter cannot be applied' })).toContainText(
    'The user filter is longer than any user (at most 100 characters).',
  )
  await expect(page.getByTestId('audit-table')).toContainText('No events match.')
})
