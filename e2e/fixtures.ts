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
