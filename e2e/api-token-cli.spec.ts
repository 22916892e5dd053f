import { execFile } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { test, expect, signIn } from './fixtures'
import { e2eUsers } from './users'

/*
 * A personal access token made in the dashboard and used from the `virtnet` command line against the production
 * build: shown once on the Account page, then `virtnet login` (the token on standard input) and a read through the
 * API; revoked in the UI, the same command is refused with the "not logged in / token refused" exit code.
 */

const cli = path.resolve('bin/virtnet.mjs')

async function virtnet(configDir: string, args: string[], input = '') {
  const run = promisify(execFile)(process.execPath, [cli, ...args], {
    env: { ...process.env, VIRTNET_CONFIG_DIR: configDir, VIRTNET_URL: '', VIRTNET_TOKEN: '' },
  })
  run.child.stdin?.end(input)
  try {
    const { stdout, stderr } = await run
    return { code: 0, stdout, stderr }
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string }
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr }
  }
}

test('a token made on the Account page works from the CLI until it is revoked', async ({ page, baseURL }) => {
  const configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vnapi-e2e-'))
  const name = `vnapi-e2e-${Date.now()}`
  try {
    await signIn(page, e2eUsers.operator)
    await page.goto('/account')
    const tokens = page.getByRole('region', { name: 'API tokens' })
    await tokens.getByLabel('Name').fill(name)
    await tokens.getByLabel('Scope').selectOption('read')
    await tokens.getByLabel('Expires after (days)').fill('7')
    await tokens.getByRole('button', { name: 'Create token' }).click()
    const secret = (await page.getByTestId('new-token').textContent())!.trim()
    expect(secret).toMatch(/^vn_[A-Za-z0-9_-]{43}$/)

    const login = await virtnet(configDir, ['login', '--url', baseURL!], `${secret}\n`)
    expect(login.code, login.stderr).toBe(0)
    expect(login.stdout).toContain(`as ${e2eUsers.operator.username} (read token)`)
    const jobs = await virtnet(configDir, ['--json', 'jobs', 'ls'])
    expect(jobs.code, jobs.stderr).toBe(0)
    expect(Array.isArray(JSON.parse(jobs.stdout))).toBe(true)

    // The secret is shown once: after a reload the listing names the token by its first characters only.
    await page.reload()
    const row = page.getByTestId(`token-${name}`)
    await expect(row).toContainText(secret.slice(0, 9))
    await expect(page.getByText(secret)).toHaveCount(0)
    await row.getByRole('button', { name: 'Revoke' }).click()
    await page.getByRole('alertdialog').getByRole('button', { name: 'Revoke token' }).click()
    await expect(row).toContainText('revoked')

    const refused = await virtnet(configDir, ['jobs', 'ls'])
    expect(refused.code).toBe(3)
    expect(refused.stderr).toContain('This token was revoked.')
  } finally {
    fs.rmSync(configDir, { recursive: true, force: true })
  }
})
