import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { test, expect } from './fixtures'

// Hosts → Rotate dashboard key in Chromium: the key in use, a new key generated and shown for authorizing, tested on
// every host, and discarded, the key in use untouched throughout. (The switch itself, with the lab hosts accepting
// the new key, is lib/hosts/dashboard-key.itest.ts.)

const dataDir = path.resolve(process.env.VIRTNET_DATA_DIR ?? 'data')
const keyPath = path.resolve(process.env.VIRTNET_SSH_KEY ?? path.join(dataDir, 'ssh', 'id_ed25519'))
const fingerprintOf = (pubFile: string) =>
  execFileSync('ssh-keygen', ['-lf', pubFile], { encoding: 'utf8' }).split(' ')[1]!

test('an admin generates a new dashboard key, sees it to authorize, tests it and discards it', async ({
  adminPage: page,
}) => {
  const keyBefore = fs.readFileSync(keyPath, 'utf8')
  await page.goto('/hosts')
  await page.getByRole('link', { name: 'Rotate dashboard key' }).click()
  await expect(page.getByRole('heading', { name: 'Rotate dashboard key', level: 1 })).toBeVisible()
  await expect(page.getByTestId('current-key-fingerprint')).toHaveText(fingerprintOf(`${keyPath}.pub`))

  await page.getByRole('button', { name: 'Generate a new key' }).click()
  await expect(page.getByTestId('new-public-key')).toContainText(/^ssh-ed25519 \S+ virtnet-dashboard$/)
  const shown = await page.getByTestId('new-key-fingerprint').textContent()
  expect(shown).toBe(fingerprintOf(`${keyPath}.next.pub`))
  expect(shown).not.toBe(fingerprintOf(`${keyPath}.pub`))

  await page.getByRole('button', { name: 'Test the new key on every host' }).click()
  await expect(page.getByText(/^\d+ of \d+ host\(s\) accept the new key\./)).toBeVisible()

  await page.getByRole('button', { name: 'Discard the new key' }).click()
  await page
    .getByRole('alertdialog', { name: 'Discard the new key?' })
    .getByRole('button', { name: 'Discard key' })
    .click()
  await expect(page.getByRole('button', { name: 'Generate a new key' })).toBeVisible()
  expect(fs.existsSync(`${keyPath}.next`)).toBe(false)
  expect(fs.readFileSync(keyPath, 'utf8')).toBe(keyBefore)
})

test('an operator cannot open the key page', async ({ operatorPage: page }) => {
  const response = await page.goto('/hosts/dashboard-key')
  expect(response?.status()).toBe(403)
  await expect(page.getByRole('button', { name: 'Generate a new key' })).toHaveCount(0)
})
