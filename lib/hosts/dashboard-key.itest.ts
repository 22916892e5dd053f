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

const labHosts = ['lab-a', 'lab-b', 'lab-b-sudo'] as const
let hosts: Record<(typeof labHosts)[number], Awaited<ReturnType<typeof lab.registeredLabHost>>>
let newPublicKey: string | undefined

const sshdLog = (name: (typeof labHosts)[number]) => path.join(path.dirname(lab.labHost(name).hostKeyFile), 'sshd.log')

/** Polls a host's own sshd log until it records a login with `fingerprint` (it writes the line as the login completes). */
async function loginLogged(name: (typeof labHosts)[number], user: string, fingerprint: string): Promise<boolean> {
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
  newPublicKey = pending.publicKey
  return pending
}

beforeAll(async () => {
  const entries = await Promise.all(labHosts.map(async (name) => [name, await lab.registeredLabHost(name)] as const))
  hosts = Object.fromEntries(entries) as typeof hosts
  await signIn(await createTestUser('vnm-key-admin', 'admin'))
})

afterAll(async () => {
  if (newPublicKey) lab.unauthorizeKeyOnLabHosts(newPublicKey)
  await closeAllSessions()
  await db.$disconnect()
  fs.rmSync(scratch.dir, { recursive: true, force: true })
})

describe("rotating the dashboard's SSH key", () => {
  it('generates a new key, refuses to switch while the hosts do not accept it, and keeps the old key in use', async () => {
    // the key in use when this test starts (the other test, in whichever order they run, may have rotated it)
    const oldKey = fs.readFileSync(scratch.keyPath, 'utf8')
    const pending = await newKey()
    expect(pending.fingerprint).not.toBe(dashboardIdentity().fingerprint)

    const tested = await callAction(actions.testDashboardKeyAction, { fingerprint: pending.fingerprint })
    expect(tested.state).toMatchObject({
      status: 'success',
      message: expect.stringMatching(/^0 of 3 host\(s\) accept/),
    })

    const refused = await callAction(actions.rotateDashboardKeyAction, { fingerprint: pending.fingerprint })
    expect(refused.state).toMatchObject({ status: 'error' })
    expect(refused.state?.message).toMatch(/The old key stays in use: 3 of 3 host\(s\) do not accept the new key yet/)
    for (const name of labHosts) expect(refused.state?.message).toContain(`${name}:`)
    const audit = await db.auditEvent.findFirstOrThrow({
      where: { action: 'dashboard-key.rotate' },
      orderBy: { id: 'desc' },
    })
    expect(audit).toMatchObject({ result: 'failure', target: pending.fingerprint })
    expect(JSON.parse(audit.commands)).toHaveLength(3)

    // Nothing changed: the same key in use, the new one still waiting, and the hosts still answer with the old one.
    expect(fs.readFileSync(scratch.keyPath, 'utf8')).toBe(oldKey)
    expect(pendingIdentity()?.fingerprint).toBe(pending.fingerprint)
    await closeAllSessions()
    expect((await run(hosts['lab-b-sudo'].target, sh`id -u`)).stdout).toBe('0\n')
  })

  it('once every host accepts the new key, puts it in use and retires the old key file', async () => {
    const pending = await newKey()
    const old = dashboardIdentity()
    lab.authorizeKeyOnLabHosts(pending.publicKey)

    const tested = await callAction(actions.testDashboardKeyAction, { fingerprint: pending.fingerprint })
    expect(tested.state).toMatchObject({
      status: 'success',
      message: expect.stringMatching(/^3 of 3 host\(s\) accept/),
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
    for (const name of labHosts) await run(hosts[name].target, sh`true`)
    expect(await loginLogged('lab-a', 'root', pending.fingerprint)).toBe(true)
    expect(await loginLogged('lab-b', 'root', pending.fingerprint)).toBe(true)
    expect(await loginLogged('lab-b-sudo', 'vnsudo', pending.fingerprint)).toBe(true)
  })

  it("never touched the lab's shared key", () => {
    expect(fs.readFileSync(scratch.sharedKey, 'utf8')).toBe(scratch.sharedKeyText)
  })
})
