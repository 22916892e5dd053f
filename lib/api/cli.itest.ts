import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { db } from '@/lib/db/client'
import { createApiToken } from '@/lib/auth/api-tokens'
import { assignGuest, setSelfServiceLimits } from '@/lib/users/changes'
import { createTestUser, type TestUser } from '@/lib/test/server-actions'
import { libvirtLabHosts, registeredLabHost } from '@/lib/test/lab'
import { createLibvirtParts, describeFixture, removeAll, removeSuiteForwards } from '@/lib/test/forward-lab'
import { startApiServer } from '@/lib/test/api-server'

vi.mock('next/headers', async () => (await import('@/lib/test/next-request')).nextHeadersModule)
vi.mock('next/cache', async () => (await import('@/lib/test/next-request')).nextCacheModule)
vi.mock('next/navigation', async () => (await import('@/lib/test/next-request')).nextNavigationModule)

/*
 * The `virtnet` command line as a script runs it: a separate Node process (bin/virtnet.mjs, no build step) talking
 * HTTP to the /api/v1 route handlers (served on loopback by lib/test/api-server.ts), against lab hosts B (libvirt 9,
 * iptables) and C (libvirt 11, libvirt's nftables backend); logging in touches no host and runs once. Its exit codes
 * and output are what scripts rely on.
 */
const cli = path.resolve(import.meta.dirname, '../../bin/virtnet.mjs')
const prefix = `vnapi-cli-${process.pid}`
const tag = process.pid + 97
const n = (tag % 200) + 20
const port = 23450 + (process.pid % 40)
const configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vnapi-cli-'))
let server: Awaited<ReturnType<typeof startApiServer>>
let operator: TestUser
let writeToken: string
const selfPort = 23560 + (process.pid % 30)

async function virtnet(args: string[], options: { env?: Record<string, string>; input?: string } = {}) {
  const child = promisify(execFile)(process.execPath, [cli, ...args], {
    env: { ...process.env, VIRTNET_CONFIG_DIR: configDir, VIRTNET_URL: '', VIRTNET_TOKEN: '', ...options.env },
    timeout: 120_000,
  })
  if (options.input !== undefined) {
    child.child.stdin?.end(options.input)
  } else child.child.stdin?.end()
  try {
    const { stdout, stderr } = await child
    return { code: 0, stdout, stderr }
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string }
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr }
  }
}

beforeAll(async () => {
  operator = await createTestUser(`${prefix}-operator`, 'operator')
  writeToken = (await createApiToken(operator, { name: `${prefix}-w`, scope: 'write', expiresInDays: 1 })).secret
  server = await startApiServer()
}, 60_000)

afterAll(async () => {
  await server?.close()
  await db.user.deleteMany({ where: { username: { startsWith: prefix } } })
  fs.rmSync(configDir, { recursive: true, force: true })
}, 60_000)

describe('the virtnet command line', () => {
  it('logs in with a token read from standard input and keeps it in a file only its user can read', async () => {
    const refused = await virtnet(['login', '--url', server.url], { input: 'vn_not-a-token\n' })
    expect(refused.code, refused.stderr).toBe(3)
    expect(refused.stderr).toContain('This token is not known.')
    const login = await virtnet(['login', '--url', server.url], { input: `${writeToken}\n` })
    expect(login.code, login.stderr).toBe(0)
    expect(login.stdout).toContain(`as ${operator.username} (write token)`)
    const file = path.join(configDir, 'config.json')
    expect(fs.statSync(file).mode & 0o777).toBe(0o600)
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual({ url: server.url, token: writeToken })
  })
})

describe.each(libvirtLabHosts)('the virtnet command line on $name (libvirt $libvirt, $firewall)', (lab) => {
  const which = lab.name === 'lab-c' ? 'c' : 'b'
  /** this host's users, tokens and forwards */
  const prefix = `vnapi-cli-${process.pid}-${which}`
  const f = {
    ...describeFixture(tag, which),
    network: `vnapi-cli${n}`,
    bridge: `vnapicb${n}`,
    guestName: `vnapi-cg${n}`,
  }
  let writeToken: string
  let readToken: string
  let selfToken: string
  let otherToken: string
  /** The host's NAT rules, read inside it: iptables' nat table on B, Virtnet's nft table on C. */
  const natRules = () =>
    lab.firewall === 'nftables'
      ? lab.exec('nft list table ip virtnet 2>/dev/null || true')
      : lab.exec('iptables -w 5 -t nat -S')
  /** How a forward's host port reads in those rules. */
  const dport = (hostPort: number) => (lab.firewall === 'nftables' ? ` dport ${hostPort} ` : `--dport ${hostPort} `)

  beforeAll(async () => {
    removeAll(f)
    createLibvirtParts(f)
    const host = await registeredLabHost(lab.name)
    const operator = await createTestUser(`${prefix}-operator`, 'operator')
    writeToken = (await createApiToken(operator, { name: `${prefix}-w`, scope: 'write', expiresInDays: 1 })).secret
    readToken = (await createApiToken(operator, { name: `${prefix}-r`, scope: 'read', expiresInDays: 1 })).secret
    const self = await createTestUser(`${prefix}-self`, 'selfservice')
    const other = await createTestUser(`${prefix}-other`, 'selfservice')
    selfToken = (await createApiToken(self, { name: `${prefix}-s`, scope: 'write', expiresInDays: 1 })).secret
    otherToken = (await createApiToken(other, { name: `${prefix}-o`, scope: 'write', expiresInDays: 1 })).secret
    await setSelfServiceLimits(self.id, { portMin: selfPort, portMax: selfPort + 5, maxForwards: 2 })
    await setSelfServiceLimits(other.id, { portMin: selfPort, portMax: selfPort + 5, maxForwards: 2 })
    await assignGuest(self.id, host.row.id, f.guestName)
  }, 60_000)

  afterAll(async () => {
    await removeSuiteForwards(f, lab.name, prefix)
    await db.user.deleteMany({ where: { username: { startsWith: prefix } } })
    removeAll(f)
  }, 60_000)

  it('lists networks as an aligned table and as JSON', async () => {
    const env = { VIRTNET_URL: server.url, VIRTNET_TOKEN: readToken }
    const listed = await virtnet(['networks', 'ls', '--host', lab.name], { env })
    expect(listed.code, listed.stderr).toBe(0)
    const lines = listed.stdout.trim().split('\n')
    expect(lines[0]).toMatch(/^NAME +ACTIVE +AUTOSTART +BRIDGE +FORWARD +IPV4$/)
    const row = lines.find((line) => line.startsWith(`${f.network} `))
    expect(row).toBeDefined()
    expect(row!.indexOf('yes')).toBe(lines[0]!.indexOf('ACTIVE'))
    const json = await virtnet(['--json', 'networks', 'ls', '--host', lab.name], { env })
    expect(JSON.parse(json.stdout).find((net: { name: string }) => net.name === f.network)).toMatchObject({
      active: true,
    })
    expect((await virtnet(['networks', 'ls', '--host', 'no-such-host'], { env })).code).toBe(1)
  })

  it('previews, adds, lists and removes a forward; refuses a bad port with the form’s message', async () => {
    const env = { VIRTNET_URL: server.url, VIRTNET_TOKEN: writeToken }
    const add = ['forwards', 'add', '--host', lab.name, '--guest', f.guestName, '--description', prefix, 'tcp']
    const preview = await virtnet([...add, `${port}:80`, '--dry-run'], { env })
    expect(preview.code, preview.stderr).toBe(0)
    expect(preview.stdout).toMatch(/^Preview, nothing changed/)
    expect(preview.stdout).toMatch(/\n1\. .+\n {3}\$ /)
    expect(await db.portForward.count({ where: { description: prefix } })).toBe(0)

    const bad = await virtnet([...add, '70000:80'], { env })
    expect(bad.code).toBe(1)
    expect(bad.stderr).toMatch(/hostPort: .*70000/)

    const added = await virtnet(['--json', ...add, `${port}:80`], { env })
    expect(added.code, added.stderr).toBe(0)
    const id = JSON.parse(added.stdout).forward.id as string
    expect(natRules()).toContain(dport(port))
    const listed = await virtnet(['forwards', 'ls', '--host', lab.name], { env })
    expect(listed.stdout).toMatch(new RegExp(`${id} +tcp +ipv4 +${port} +${f.guestName}`))
    const readOnly = await virtnet(['forwards', 'rm', id, '--host', lab.name], {
      env: { ...env, VIRTNET_TOKEN: readToken },
    })
    expect(readOnly.code).toBe(1)
    expect(readOnly.stderr).toContain('read-only')
    const removed = await virtnet(['forwards', 'rm', id, '--host', lab.name], { env })
    expect(removed.code, removed.stderr).toBe(0)
    expect(await db.portForward.count({ where: { description: prefix } })).toBe(0)
  })

  it('imports DHCP mappings from a CSV file as a job it follows to the end, then lists them', async () => {
    const env = { VIRTNET_URL: server.url, VIRTNET_TOKEN: writeToken }
    const net = f.gateway.split('.').slice(0, 3).join('.')
    const csv = path.join(configDir, 'mappings.csv')
    fs.writeFileSync(
      csv,
      `52:54:00:e7:${n.toString(16).padStart(2, '0')}:01,${net}.51,vnapi-a\n52:54:00:e7:${n.toString(16).padStart(2, '0')}:02,${net}.52,vnapi-b\n`,
    )
    const imported = await virtnet(['dhcp', 'import', '--host', lab.name, '--network', f.network, csv], { env })
    expect(imported.code, imported.stderr).toBe(0)
    expect(imported.stdout).toMatch(/: succeeded$/m)
    const listed = await virtnet(['--json', 'dhcp', 'ls', '--host', lab.name, '--network', f.network], { env })
    expect(JSON.parse(listed.stdout).map((m: { ip: string }) => m.ip)).toEqual(
      expect.arrayContaining([`${net}.51`, `${net}.52`]),
    )
    const jobs = await virtnet(['--json', 'jobs', 'ls'], { env })
    const job = JSON.parse(jobs.stdout)[0] as { id: string }
    const watched = await virtnet(['jobs', 'watch', job.id], { env })
    expect(watched.code, watched.stderr).toBe(0)
    expect((await virtnet(['jobs', 'watch', 'no-such-job'], { env })).code).toBe(1)
  })

  it('applies a whole DHCP table from a CSV file: --dry-run reports and changes nothing, then what the file lacks goes', async () => {
    const env = { VIRTNET_URL: server.url, VIRTNET_TOKEN: writeToken }
    const net = f.gateway.split('.').slice(0, 3).join('.')
    const mac = (last: number) => `52:54:00:e9:${n.toString(16).padStart(2, '0')}:0${last}`
    const file = path.join(configDir, 'table.csv')
    const apply = (lines: string[], ...flags: string[]) => {
      fs.writeFileSync(file, `mac,ip,name\n${lines.join('\n')}\n`)
      return virtnet(['dhcp', 'apply', '--host', lab.name, '--network', f.network, file, ...flags], { env })
    }
    // The fixture guest's mapping stays in every table, so the forwards' test finds its fixed address.
    const guest = `${f.guestMac},${f.guestIp},`
    const preview = await apply([guest, `${mac(1)},${net}.71,vnapi-t1`], '--dry-run')
    expect(preview.code, preview.stderr).toBe(0)
    expect(preview.stdout).toContain(`+ ${mac(1)} ${net}.71 vnapi-t1`)
    expect(preview.stdout).toMatch(/^2 added, 0 changed, \d+ removed .*, 0 unchanged$/m)
    expect(preview.stdout).toMatch(/^Preview, nothing changed/m)
    expect(lab.exec(`virsh net-dumpxml ${f.network}`)).not.toContain(mac(1))

    const applied = await apply([guest, `${mac(1)},${net}.71,vnapi-t1`, `${mac(2)},${net}.72,vnapi-t2`])
    expect(applied.code, applied.stderr).toBe(0)
    expect(applied.stdout).toMatch(/: succeeded$/m)
    expect(lab.exec(`virsh net-dumpxml ${f.network}`)).toContain(mac(2))
    const replaced = await apply([guest, `${mac(2)},${net}.72,vnapi-t2`])
    expect(replaced.code, replaced.stderr).toBe(0)
    expect(replaced.stdout).toContain(`- ${mac(1)} ${net}.71 vnapi-t1`)
    expect(lab.exec(`virsh net-dumpxml ${f.network}`)).not.toContain(mac(1))
    const json = await virtnet(['--json', 'dhcp', 'ls', '--host', lab.name, '--network', f.network], { env })
    expect(JSON.parse(json.stdout).map((m: { mac: string }) => m.mac)).not.toContain(mac(1))
    const bad = await apply([guest, `${mac(3)},10.99.99.99,vnapi-t3`])
    expect(bad.code).toBe(1)
    expect(bad.stderr).toMatch(/csv: Line 3: /)
  })

  it('applies a guest’s whole forward list from a JSON file, as an operator and as a self-service user within limits', async () => {
    const env = { VIRTNET_URL: server.url, VIRTNET_TOKEN: writeToken }
    const file = path.join(configDir, 'forwards.json')
    const apply = (list: unknown[], token: string, ...args: string[]) => {
      fs.writeFileSync(file, JSON.stringify(list))
      return virtnet(['forwards', 'apply', '--guest', f.guestName, file, ...args], {
        env: { ...env, VIRTNET_TOKEN: token },
      })
    }
    const item = (hostPort: number, guestPort: number) => ({
      protocol: 'tcp',
      hostPort,
      guestPort,
      description: prefix,
    })
    const preview = await apply([item(port + 1, 80)], writeToken, '--host', lab.name, '--dry-run')
    expect(preview.code, preview.stderr).toBe(0)
    expect(preview.stdout).toContain(`+ tcp ${port + 1} → ${f.network}:80`)
    expect(await db.portForward.count({ where: { description: prefix } })).toBe(0)
    const added = await apply([item(port + 1, 80), item(port + 2, 22)], writeToken, '--host', lab.name)
    expect(added.code, added.stderr).toBe(0)
    expect(added.stdout).toMatch(/^2 added, 0 removed, 0 unchanged$/m)
    expect(natRules()).toContain(dport(port + 2))
    const kept = await apply([item(port + 2, 22)], writeToken, '--host', lab.name)
    expect(kept.stdout).toMatch(/^0 added, 1 removed, 1 unchanged$/m)
    expect(natRules()).not.toContain(dport(port + 1))

    const outOfRange = await apply([item(selfPort + 50, 80)], selfToken)
    expect(outOfRange.code).toBe(1)
    expect(outOfRange.stderr).toContain(`outside your allowed range ${selfPort}–${selfPort + 5}`)
    const notTheirs = await apply([item(selfPort, 80)], otherToken)
    expect(notTheirs.code).toBe(1)
    const mine = await apply([item(selfPort, 80)], selfToken)
    expect(mine.code, mine.stderr).toBe(0)
    expect(mine.stdout).toMatch(/^1 added, 0 removed, 0 unchanged$/m)
    expect(await db.portForward.count({ where: { description: prefix } })).toBe(2)
    expect((await apply([], selfToken)).code).toBe(0)
    expect((await apply([], writeToken, '--host', lab.name)).code).toBe(0)
    expect(await db.portForward.count({ where: { description: prefix } })).toBe(0)
    expect(natRules()).not.toContain(dport(port + 2))
  })
})
