import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { test as base, expect, type Page } from '@playwright/test'
import { e2eUsers, type E2eUser } from './users'

export async function signIn(page: Page, user: E2eUser) {
  await page.goto('/login')
  await page.getByLabel('User name').fill(user.username)
  await page.getByLabel('Password').fill(user.password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible()
}

type LabHost = { name: string; address: string; port: number; username: string; hostKeyFile: string }

export function labHost(name: 'lab-a' | 'lab-b' | 'lab-spare'): LabHost {
  const hosts = JSON.parse(fs.readFileSync(path.resolve('data/lab/hosts.json'), 'utf8')) as LabHost[]
  const host = hosts.find((h) => h.name === name)
  if (!host) throw new Error(`The lab has no host ${name}; run npm run lab`)
  return host
}

/** The fingerprint read from the lab host's key file directly: the out-of-band check an admin would do. */
export function labFingerprint(host: LabHost): string {
  return execFileSync('ssh-keygen', ['-lf', host.hostKeyFile], { encoding: 'utf8' }).split(' ')[1]!
}

export function lab(...args: string[]) {
  execFileSync('bash', ['scripts/lab/lab.sh', ...args], { stdio: 'inherit' })
}

const hostRow = (page: Page, host: LabHost) =>
  page.getByRole('row', { name: new RegExp(`${host.address.replace(/\./g, '\\.')}:${host.port}`) })

/** Adds a lab host through the UI and pins its key after comparing it with the key file; returns the host id. */
export async function addLabHost(page: Page, lab: 'lab-a' | 'lab-b' | 'lab-spare', name: string): Promise<string> {
  const host = labHost(lab)
  await page.goto('/hosts')
  await page.getByLabel('Name').fill(name)
  await page.getByLabel('Address').fill(host.address)
  await page.getByLabel('SSH port').fill(String(host.port))
  await page.getByLabel('SSH user').fill(host.username)
  await page.getByRole('button', { name: 'Add host' }).click()
  await expect(page.getByTestId('offered-fingerprint')).toHaveText(labFingerprint(host))
  await page.getByRole('button', { name: 'Confirm and pin this key' }).click()
  await expect(page.getByTestId('pinned-fingerprint')).toHaveText(labFingerprint(host))
  return new URL(page.url()).pathname.split('/')[2]!
}

/** The lab host's page, registering the host first unless an earlier spec already did; returns the host id. */
export async function openLabHost(page: Page, lab: 'lab-a' | 'lab-b' | 'lab-spare', name: string): Promise<string> {
  await page.goto('/hosts')
  const existing = hostRow(page, labHost(lab))
  if ((await existing.count()) === 0) return addLabHost(page, lab, name)
  await existing.getByRole('link').first().click()
  await expect(page.getByTestId('pinned-fingerprint')).toBeVisible()
  return new URL(page.url()).pathname.split('/')[2]!
}

/** Removes the lab host's registration through the UI, if there is one. */
export async function removeLabHost(page: Page, lab: 'lab-b' | 'lab-spare') {
  await page.goto('/hosts')
  const existing = hostRow(page, labHost(lab))
  if ((await existing.count()) === 0) return
  const name = (await existing.getByRole('link').first().textContent())!.trim()
  await existing.getByRole('link').first().click()
  await page.getByLabel(/to confirm/).fill(name)
  await page.getByRole('button', { name: 'Remove host' }).click()
  await expect(page).toHaveURL(/\/hosts$/)
  await expect(hostRow(page, labHost(lab))).toHaveCount(0)
}

/**
 * The XML editor of a network or filter page (app/ui/xml-editor.tsx) once CodeMirror has replaced its textarea: the
 * labelled editor, the text it posts, and a way to replace that text.
 */
export async function xmlEditor(page: Page, label: string) {
  const posted = page.locator('input[type="hidden"][name="xml"]')
  await expect(posted).toHaveCount(1)
  const editor = page.getByLabel(label)
  return {
    editor,
    text: () => posted.inputValue(),
    fill: async (text: string) => {
      await editor.fill(text)
      await expect(posted).toHaveValue(text)
    },
  }
}

export const test = base.extend<{ adminPage: Page; operatorPage: Page }>({
  adminPage: async ({ page }, provide) => {
    await signIn(page, e2eUsers.admin)
    await provide(page)
  },
  operatorPage: async ({ page }, provide) => {
    await signIn(page, e2eUsers.operator)
    await provide(page)
  },
})

export { expect }
