import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'

/*
 * Rotating the dashboard's SSH key through the key page's actions, against the lab: the new key is refused while the
 * hosts do not accept it (the old key stays in use), then authorized on every lab host the way an operator does it
 * (lab.sh authorize-key), tested, and put in use; the old key file is retired and the hosts' own sshd logs show the
 * next logins made with the new key. The rotation tests every host with a confirmed key in the database, so this file
 * has a database of its own (only the lab hosts it registers) and a copy of the dashboard's key: the lab's shared key
 * file is never touched.
 */
const scratch = await vi.hoisted(async () => {
  const { execFileSync } = await import('node:child_process')
  const fs = await import('node:fs')
  const os = await import('node:os')
  const path = await import('node:path')
  const root = path.resolve(import.meta.dirname, '../..')
  const dataDir = path.resolve(root, process.env.VIRTNET_DATA_DIR ?? 'data')
  const sharedKey = path.resolve(root, process.env.VIRTNET_SSH_KEY ?? path.join(dataDir, 'ssh', 'id_ed25519'))
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vnm-key-rotation-'))
  const keyPath = path.join(dir, 'ssh', 'id_ed25519')
  fs.mkdirSync(path.dirname(keyPath), { mode: 0o700 })
  fs.copyFileSync(sharedKey, keyPath)
  fs.copyFileSync(`${sharedKey}.pub`, `${keyPath}.pub`)
  const databaseUrl = `file:${path.join(dir, 'virtnet.db')}`
  execFileSync('npx', ['tsx', '--conditions=react-server', 'scripts/db/migrate.ts'], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: databaseUrl },
    stdio: 'ignore',
  })
  process.env.VIRTNET_SSH_KEY = keyPath
  process.env.DATABASE_URL = databaseUrl
  return { dir, keyPath, sharedKey, sharedKeyText: fs.readFileSync(sharedKey, 'utf8') }
})

const fs = await import('node:fs')
const path = await import('node:path')
const { db } = await import('@/lib/db/client')
const { closeAllSessions, run, sh } = await import('@/lib/ssh')
const { dashboardIdentity, pendingIdentity } = await import('@/lib/ssh/identity')
const lab = await import('@/lib/test/lab')
const { callAction, createTestUser, signIn } = await import('@/lib/test/server-actions')
const actions = await import('@/app/(dashboard)/hosts/dashboard-key/actions')

vi.mock('next/headers', async () => (await import('@/lib/test/next-request')).nextHeadersModule)
vi.mock('next/cache', async () => (await import('@/lib/test/next-request')).nextCacheModule)
vi.mock('next/navigation', async () => (await import('@/lib/test/next-request')).nextNavigationModule)

type LabHostName = Parameters<typeof lab.labHost>[0]
let hosts: Record<string, Awaited<ReturnType<typeof lab.registeredLabHost>>>
/** every new key made here, each taken off the lab hosts at the end (a rotation per libvirt host) */
const newPublicKeys = new Set<string>()

const sshdLog = (name: LabHostName) => path.join(path.dirname(lab.labHost(name).hostKeyFile), 'sshd.log')

/** Polls a host's own sshd log until it records a login with `fingerprint` (it writes the line as the login completes). */
async function loginLogged(name: LabHostName, user: string, fingerprint: string): Promise<boolean> {
  const pattern = `Accepted publickey for ${user} from `
  const deadline = Date.now() + 10_000
  for (;;) {
    const lines = fs.readFileSync(sshdLog(name), 'utf8').split(/\r?\n/)
    if (lines.some((line) => line.includes(pattern) && line.endsWith(` ${fingerprint}`))) return true
    if (Date.now() > deadline) return false
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

/** The new key waiting to be used: generated through the action unless one already waits. */
async function newKey() {
  if (!pendingIdentity()) {
    const generated = await callAction(actions.generateDashboardKeyAction, {})
    expect(generated.state).toMatchObject({ status: 'success' })
    expect(generated.state?.message).toContain(pendingIdentity()!.fingerprint)
  }
  const pending = pendingIdentity()!
  newPublicKeys.add(pending.publicKey)
  return pending
}

beforeAll(async () => {
  await signIn(await createTestUser('vnm-key-admin', 'admin'))
})

afterAll(async () => {
  for (const publicKey of newPublicKeys) lab.unauthorizeKeyOnLabHosts(publicKey)
  await closeAllSessions()
  await db.$disconnect()
  fs.rmSync(scratch.dir, { recursive: true, force: true })
})

/** The lab's own key in use again, nothing retired or waiting: each libvirt host's rotation starts from there. */
function startFromTheLabKey() {
  const dir = path.dirname(scratch.keyPath)
  for (const name of fs.readdirSync(dir)) fs.rmSync(path.join(dir, name))
  fs.copyFileSync(scratch.sharedKey, scratch.keyPath)
  fs.copyFileSync(`${scratch.sharedKey}.pub`, `${scratch.keyPath}.pub`)
}

/*
 * The fleet the key is rotated on: host A and one libvirt host, with host B's sudo user on B (C has no sudo login of
 * its own in the lab). The database holds only these hosts meanwhile.
 */
describe.each(lab.libvirtLabHosts)("rotating the dashboard's SSH key on a fleet with $name", (libvirtHost) => {
  const fleet: { name: LabHostName; user: string }[] =
    libvirtHost.name === 'lab-b'
      ? [
          { name: 'lab-a', user: 'root' },
          { name: 'lab-b', user: 'root' },
          { name: 'lab-b-sudo', user: 'vnsudo' },
        ]
      : [
          { name: 'lab-a', user: 'root' },
          { name: libvirtHost.name, user: 'root' },
        ]
  const n = fleet.length

  beforeAll(async () => {
    startFromTheLabKey()
    await closeAllSessions()
    await db.host.deleteMany({})
    const entries = await Promise.all(fleet.map(async ({ name }) => [name, await lab.registeredLabHost(name)] as const))
    hosts = Object.fromEntries(entries)
  })

  it('generates a new key, refuses to switch while the hosts do not accept it, and keeps the old key in use', async () => {
    // the key in use when this test starts (the other test, in whichever order they run, may have rotated it)
    const oldKey = fs.readFileSync(scratch.keyPath, 'utf8')
    const pending = await newKey()
    expect(pending.fingerprint).not.toBe(dashboardIdentity().fingerprint)

    const tested = await callAction(actions.testDashboardKeyAction, { fingerprint: pending.fingerprint })
    expect(tested.state).toMatchObject({
      status: 'success',
      message: expect.stringMatching(new RegExp(`^0 of ${n} host\\(s\\) accept`)),
    })

    const refused = await callAction(actions.rotateDashboardKeyAction, { fingerprint: pending.fingerprint })
    expect(refused.state).toMatchObject({ status: 'error' })
    expect(refused.state?.message).toContain(
      `The old key stays in use: ${n} of ${n} host(s) do not accept the new key yet`,
    )
    for (const { name } of fleet) expect(refused.state?.message).toContain(`${name}:`)
    const audit = await db.auditEvent.findFirstOrThrow({
      where: { action: 'dashboard-key.rotate' },
      orderBy: { id: 'desc' },
    })
    expect(audit).toMatchObject({ result: 'failure', target: pending.fingerprint })
    expect(JSON.parse(audit.commands)).toHaveLength(n)

    // Nothing changed: the same key in use, the new one still waiting, and the hosts still answer with the old one.
    expect(fs.readFileSync(scratch.keyPath, 'utf8')).toBe(oldKey)
    expect(pendingIdentity()?.fingerprint).toBe(pending.fingerprint)
    await closeAllSessions()
    expect((await run(hosts[fleet.at(-1)!.name]!.target, sh`id -u`)).stdout).toBe('0\n')
  })

  it('once every host accepts the new key, puts it in use and retires the old key file', async () => {
    const pending = await newKey()
    const old = dashboardIdentity()
    lab.authorizeKeyOnLabHosts(pending.publicKey)

    const tested = await callAction(actions.testDashboardKeyAction, { fingerprint: pending.fingerprint })
    expect(tested.state).toMatchObject({
      status: 'success',
      message: expect.stringMatching(new RegExp(`^${n} of ${n} host\\(s\\) accept`)),
    })

    const rotated = await callAction(actions.rotateDashboardKeyAction, { fingerprint: pending.fingerprint })
    expect(rotated.state).toMatchObject({ status: 'success' })
    expect(dashboardIdentity().fingerprint).toBe(pending.fingerprint)
    expect(fs.readFileSync(`${scratch.keyPath}.pub`, 'utf8')).toContain(pending.publicKey.split(' ')[1])
    expect(pendingIdentity()).toBeNull()
    const retired = fs.readdirSync(path.dirname(scratch.keyPath)).filter((name) => /^id_ed25519\.retired-/.test(name))
    expect(retired.sort()).toEqual([expect.stringMatching(/^id_ed25519\.retired-[\dT-]+Z$/), expect.any(String)])
    expect(fs.readFileSync(path.join(path.dirname(scratch.keyPath), retired.sort()[0]!), 'utf8')).toBe(old.privateKey)

    // The next connections log in with the new key, as the hosts' own sshd logs say.
    for (const { name } of fleet) await run(hosts[name]!.target, sh`true`)
    for (const { name, user } of fleet) expect(await loginLogged(name, user, pending.fingerprint), name).toBe(true)
  })
})

describe("the lab's shared key", () => {
  it('was never touched', () => {
    expect(fs.readFileSync(scratch.sharedKey, 'utf8')).toBe(scratch.sharedKeyText)
  })
})
