import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { test, expect } from '@playwright/test'
import { e2eUsers } from './users'
import { e2eDatabase, e2ePort, e2eTrustedProxy } from '../playwright.config'

/*
 * Behind TLS (issue 15): the dashboard through nginx over HTTPS, with the example configuration shipped in
 * deploy/nginx/virtnet.conf — only its addresses, ports and certificate paths are replaced, each replacement must
 * match, so a change to the example that breaks this derivation fails here instead of rotting. The certificate is
 * made by openssl for this run; nginx runs as a plain process with its own configuration, pid and logs in a
 * temporary folder, on a loopback port. The dashboard trusts forwarding headers from 127.0.0.2 only
 * (playwright.config.ts), the address nginx connects from here (proxy_bind).
 */

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'vnl-nginx-'))
const proxied = { username: `vnl-proxied-${process.pid}`, password: 'vnl-proxied-password-1' }
let nginx: ChildProcess | undefined
let httpsPort = 0

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => resolve(port))
    })
  })
}

/** `text` with `from` replaced by `to`, which must occur exactly once. */
function replaceOnce(text: string, from: string | RegExp, to: string): string {
  const count =
    typeof from === 'string' ? text.split(from).length - 1 : (text.match(new RegExp(from, 'g')) ?? []).length
  if (count !== 1) throw new Error(`deploy/nginx/virtnet.conf: expected ${String(from)} once, found it ${count} times`)
  return text.replace(from, to)
}

/** The example configuration, made to run here. */
function derivedConfig(httpPort: number): string {
  let site = fs.readFileSync(path.resolve('deploy/nginx/virtnet.conf'), 'utf8')
  site = replaceOnce(site, 'server 127.0.0.1:3000;', `server 127.0.0.1:${e2ePort};`)
  site = replaceOnce(site, /\n\s*listen \[::\]:80;/, '')
  site = replaceOnce(site, /\n\s*listen \[::\]:443 ssl http2;/, '')
  site = replaceOnce(site, 'listen 80;', `listen 127.0.0.1:${httpPort};`)
  site = replaceOnce(site, 'listen 443 ssl http2;', `listen 127.0.0.1:${httpsPort} ssl http2;`)
  site = replaceOnce(site, '/etc/ssl/certs/ssl-cert-snakeoil.pem', path.join(scratch, 'cert.pem'))
  site = replaceOnce(site, '/etc/ssl/private/ssl-cert-snakeoil.key', path.join(scratch, 'key.pem'))
  site = replaceOnce(
    site,
    'proxy_pass http://virtnet;',
    `proxy_pass http://virtnet;\n        proxy_bind ${e2eTrustedProxy};`,
  )
  const temp = (name: string) => path.join(scratch, name)
  return `user root;
pid ${temp('nginx.pid')};
error_log ${temp('error.log')} info;
events {}
http {
    access_log ${temp('access.log')};
    client_body_temp_path ${temp('client-body')};
    proxy_temp_path ${temp('proxy')};
${site}
}
`
}

async function untilListening(port: number) {
  const deadline = Date.now() + 20_000
  while (Date.now() < deadline) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => resolve(socket.end() && true))
      socket.on('error', () => resolve(false))
    })
    if (open) return
    if (nginx?.exitCode !== null) break
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`nginx did not listen on ${port}:\n${fs.readFileSync(path.join(scratch, 'error.log'), 'utf8')}`)
}

test.beforeAll(async () => {
  httpsPort = await freePort()
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      path.join(scratch, 'key.pem'),
      '-out',
      path.join(scratch, 'cert.pem'),
    ],
    { stdio: 'ignore' },
  )
  const config = path.join(scratch, 'nginx.conf')
  fs.writeFileSync(config, derivedConfig(await freePort()))
  execFileSync('nginx', ['-t', '-q', '-p', scratch, '-c', config], { stdio: 'inherit' })
  nginx = spawn('nginx', ['-p', scratch, '-c', config, '-g', 'daemon off;'], { stdio: 'inherit' })
  await untilListening(httpsPort)
})

test.afterAll(() => {
  if (nginx?.pid) process.kill(nginx.pid, 'SIGTERM')
  execFileSync('npx', ['tsx', '--conditions=react-server', 'scripts/users.ts', 'delete', proxied.username], {
    env: { ...process.env, DATABASE_URL: `file:${e2eDatabase}` },
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  fs.rmSync(scratch, { recursive: true, force: true })
})

test('through nginx over HTTPS: sign in, the cookie is Secure, a form changes something', async ({ browser }) => {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, baseURL: `https://127.0.0.1:${httpsPort}` })
  const page = await context.newPage()
  await page.goto('/login')
  await page.getByLabel('User name').fill(e2eUsers.admin.username)
  await page.getByLabel('Password').fill(e2eUsers.admin.password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible()
  const session = (await context.cookies()).find((cookie) => cookie.name === 'virtnet_session')
  expect(session).toMatchObject({ secure: true, httpOnly: true, sameSite: 'Lax' })

  // A server action through the proxy: Next's origin check passes on the host nginx forwards.
  await page.goto('/users')
  await page.getByLabel('User name').fill(proxied.username)
  await page.getByRole('region', { name: 'Create a user' }).getByLabel('Role').selectOption('auditor')
  await page.getByLabel('Initial password').fill(proxied.password)
  await page.getByRole('button', { name: 'Create user' }).click()
  await expect(page.getByRole('status')).toHaveText(`Created ${proxied.username} (auditor).`)

  // The audit names the client nginx saw (127.0.0.1), not nginx itself, and not what the client claimed.
  const exported = await page.request.get(`/api/audit/export?format=json&actor=${e2eUsers.admin.username}`, {
    headers: { 'X-Forwarded-For': '203.0.113.77' },
  })
  const logins = ((await exported.json()) as Array<{ action: string; result: string; params: { clientIp?: string } }>)
    .filter((event) => event.action === 'auth.login' && event.result === 'success')
    .map((event) => event.params.clientIp)
  expect(logins.at(-1)).toBe('127.0.0.1')
  await context.close()
})

test('straight over plain HTTP the session cookie is not Secure (the browser would never send it back)', async ({
  page,
}) => {
  await page.goto('/login')
  await page.getByLabel('User name').fill(e2eUsers.auditor.username)
  await page.getByLabel('Password').fill(e2eUsers.auditor.password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible()
  const session = (await page.context().cookies()).find((cookie) => cookie.name === 'virtnet_session')
  expect(session?.secure).toBe(false)
})
