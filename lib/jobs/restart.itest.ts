import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { chromium, type Browser, type Page } from '@playwright/test'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { db } from '@/lib/db/client'
import { inHostB, registeredLabHost } from '@/lib/test/lab'

/*
 * A restart of the dashboard, for real: the production build (`next build`) serves on a port of its own over this
 * test's database; a signed-in operator imports pasted CSV into a network of lab host B from the DHCP page (a job of one
 * net-update per line), the server is killed with SIGKILL while the job is half-way, and started again. Its start-up
 * marks the job interrupted and writes the job's final audit record from a re-read of host B; then "Undo finished
 * steps", clicked on the job's page, takes host B back to what it was before the import, read inside B.
 */

const root = path.resolve(import.meta.dirname, '../..')
const port = 3141
const base = `http://127.0.0.1:${port}`
const tag = process.pid % 200
const net = { name: `vnu-rst${tag}`, bridge: `vnurst${tag}`, prefix: `10.215.${tag}` }
const user = { username: `vnu-restart-${process.pid}`, password: `vnu-restart-password-${process.pid}` }
// fewer lines than the bulk path takes (10): one net-update step per line, a job long enough to cut in the middle
const lines = Array.from(
  { length: 9 },
  (_, i) =>
    `52:54:00:15:${tag.toString(16).padStart(2, '0')}:${(i + 1).toString(16).padStart(2, '0')},${net.prefix}.${i + 11},r${i + 1}`,
)
let host: Awaited<ReturnType<typeof registeredLabHost>>
let server: ChildProcess | null = null
let browser: Browser

async function until<T>(what: string, read: () => Promise<T | null | undefined | false>, ms = 60_000): Promise<T> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((resolve) => setTimeout(resolve, 50))) {
    const value = await read()
    if (value) return value
  }
  throw new Error(`gave up waiting for ${what}`)
}

/** `next start` on the build in this checkout, its own process group, over the test database. */
async function startServer() {
  if (!fs.existsSync(path.join(root, process.env.VIRTNET_DIST_DIR ?? '.next', 'BUILD_ID')))
    throw new Error('There is no production build in this checkout: run `npx next build` first (npm test does).')
  const child = spawn(
    process.execPath,
    [path.join(root, 'node_modules/next/dist/bin/next'), 'start', '-H', '127.0.0.1', '-p', String(port)],
    {
      cwd: root,
      env: { ...process.env, NODE_ENV: 'production', PORT: String(port) },
      stdio: ['ignore', 'inherit', 'inherit'],
      detached: true,
    },
  )
  server = child
  await until('the dashboard to answer', async () => {
    if (child.exitCode !== null) throw new Error(`next start exited with ${child.exitCode}`)
    return fetch(`${base}/login`).then(
      (response) => response.ok,
      () => false,
    )
  })
}

/** SIGKILL to the server's process group (no shutdown of any kind), waiting until it is gone. */
async function killServer() {
  const child = server!
  server = null
  const exited = new Promise((resolve) => child.once('exit', resolve))
  process.kill(-child.pid!, 'SIGKILL')
  await exited
}

/** The network's static hosts as host B has them, live and persistent, and dnsmasq's hostsfile. */
const hostB = () => ({
  live: inHostB(`virsh net-dumpxml ${net.name} | grep '<host ' | sort || true`),
  persistent: inHostB(`virsh net-dumpxml ${net.name} --inactive | grep '<host ' | sort || true`),
  hostsfile: inHostB(`sort /var/lib/libvirt/dnsmasq/${net.name}.hostsfile`),
})
const onHostB = (line: string) => {
  const [mac, ip] = line.split(',')
  const has = (xml: string) => xml.split('\n').some((row) => row.includes(`mac='${mac}'`) && row.includes(`ip='${ip}'`))
  const { live, persistent } = hostB()
  return [has(live), has(persistent)]
}

async function signIn(page: Page) {
  await page.goto(`${base}/login`)
  await page.getByLabel('User name').fill(user.username)
  await page.getByLabel('Password').fill(user.password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.getByRole('navigation', { name: 'Main' }).waitFor()
}

describe('a restart of the real dashboard in the middle of a job', () => {
  beforeAll(async () => {
    host = await registeredLabHost('lab-b')
    inHostB(`virsh -q net-destroy ${net.name} >/dev/null 2>&1; virsh -q net-undefine ${net.name} >/dev/null 2>&1; true`)
    const xml = `<network><name>${net.name}</name><forward mode='nat'/><bridge name='${net.bridge}' stp='off'/><ip address='${net.prefix}.1' prefix='24'><dhcp><range start='${net.prefix}.100' end='${net.prefix}.200'/></dhcp></ip></network>`
    inHostB(`cat > /tmp/${net.name}.xml <<'EOF'
${xml}
EOF
virsh -q net-define /tmp/${net.name}.xml >/dev/null && virsh -q net-start ${net.name} >/dev/null; rm -f /tmp/${net.name}.xml`)
    execFileSync('npx', ['tsx', '--conditions=react-server', 'scripts/users.ts', 'create', user.username, 'operator'], {
      cwd: root,
      input: user.password,
      env: process.env,
      stdio: ['pipe', 'inherit', 'inherit'],
    })
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
    })
    await startServer()
  })
  afterAll(async () => {
    await browser?.close()
    if (server) await killServer()
    inHostB(`virsh -q net-destroy ${net.name} >/dev/null 2>&1; virsh -q net-undefine ${net.name} >/dev/null 2>&1; true`)
    const row = await db.user.findUnique({ where: { username: user.username } })
    if (row) {
      await db.session.deleteMany({ where: { userId: row.id } })
      await db.user.delete({ where: { id: row.id } })
    }
    await db.dhcpMapping.deleteMany({ where: { hostId: host.row.id, network: net.name } })
  })

  it('marks the job interrupted with an audit record of what ran and what is left, and its undo restores host B', async () => {
    const before = hostB()
    const startedAt = new Date()
    const page = await browser.newPage()
    await signIn(page)

    // the import, through the DHCP page of the running server
    await page.goto(`${base}/hosts/${host.row.id}/networks/${net.name}/dhcp`)
    const form = page.locator('form').filter({ has: page.getByLabel(/CSV lines/) })
    await form.getByLabel(/CSV lines/).fill(lines.join('\n'))
    await form.getByRole('button', { name: 'Preview' }).click()
    await form.getByTestId('import-preview').filter({ hasText: '9 to add, 0 to change' }).waitFor()
    await form.getByRole('button', { name: 'Import' }).click()
    const job = await until('the import job', () =>
      db.job.findFirst({ where: { kind: 'dhcp.import.job', hostId: host.row.id, createdAt: { gte: startedAt } } }),
    )

    // half-way: a step finished, a step not started yet; then the server dies without a word
    await until(
      'the job to be half-way',
      async () => {
        const steps = await db.jobStep.findMany({ where: { jobId: job.id } })
        return steps.some((s) => s.status === 'done') && steps.some((s) => s.status === 'pending')
      },
      120_000,
    )
    await killServer()
    const cut = await db.job.findUniqueOrThrow({
      where: { id: job.id },
      include: { steps: { orderBy: { position: 'asc' } } },
    })
    expect(cut.status).toBe('running')
    const plannedLabels = cut.steps.map((step) => step.label)
    expect(plannedLabels).toHaveLength(10) // nine net-updates and the job's closing check

    // the start-up marks it interrupted and re-reads host B (each step that ran is probed)
    await startServer()
    const interrupted = await until('the re-read after the restart', async () => {
      const row = await db.job.findUniqueOrThrow({
        where: { id: job.id },
        include: { steps: { orderBy: { position: 'asc' } } },
      })
      return row.status === 'interrupted' && row.recheckedAt !== null && row
    })
    const finished = interrupted.steps
      .filter((step) => step.position < 9 && step.status === 'done')
      .map((step) => step.position)
    expect(finished.length).toBeGreaterThan(0)
    expect(finished).toEqual(finished.map((_, index) => index)) // in order, from the first
    const notStarted = plannedLabels.slice(finished.length, 9)
    expect(interrupted.error).toContain(
      `The dashboard restarted while this job ran: ${finished.length} of 9 steps finished`,
    )

    // host B, read inside B: exactly the finished steps' lines are there, live and persistent; the rest are not
    lines.forEach((line, index) =>
      expect(onHostB(line), line).toEqual(index < finished.length ? [true, true] : [false, false]),
    )

    const [record, ...more] = (
      await db.auditEvent.findMany({ where: { action: 'dhcp.import.job', target: net.name }, orderBy: { id: 'asc' } })
    ).filter((row) => JSON.parse(row.params).jobId === job.id)
    expect(more).toEqual([])
    expect(record).toMatchObject({ result: 'failure', actorName: user.username, hostName: host.row.name })
    const params = JSON.parse(record!.params)
    expect(params).toMatchObject({
      interrupted: true,
      hostReachable: true,
      finished: plannedLabels.slice(0, finished.length),
      notStarted: expect.arrayContaining(notStarted.slice(1)),
    })
    // every step that ran was probed on host B, so none is left "may or may not have taken effect"
    expect(interrupted.error).not.toContain('may or may not have taken effect')
    const ran = [...new Set([...params.finished, ...params.cutShort])].sort()
    expect(params.probes.map((probe: { step: string }) => probe.step).sort()).toEqual(ran)
    expect(params.probes.every((probe: object) => 'inEffect' in probe)).toBe(true)
    expect(params.leftOnHost.map((left: { step: string }) => left.step)).toEqual(
      plannedLabels.slice(0, finished.length).toReversed(),
    )
    expect(params.leftOnHost.every((left: { undo: string | null }) => left.undo?.includes('net-update'))).toBe(true)

    // "Undo finished steps" on the job's page, through the restarted server
    // the session outlives the restart (it is in the database): still signed in
    await page.goto(`${base}/jobs/${job.id}`)
    const undoForm = page.getByRole('form', { name: 'Undo finished steps' })
    await undoForm.getByRole('button', { name: 'Undo finished steps' }).click()
    const undoJob = await until('the undo job', async () => {
      const row = await db.job.findUnique({ where: { id: job.id } })
      return row?.recoveryJobId ? db.job.findUnique({ where: { id: row.recoveryJobId } }) : null
    })
    const undone = await until('the undo job to end', async () => {
      const row = await db.job.findUniqueOrThrow({ where: { id: undoJob.id } })
      return row.status !== 'running' && row
    })
    expect(undone).toMatchObject({ status: 'succeeded', kind: 'job.undo.job' })
    await undoForm
      .getByTestId('job-status')
      .filter({ hasText: /^succeeded$/ })
      .waitFor()
    expect(hostB()).toEqual(before)
    expect(await db.dhcpMapping.count({ where: { hostId: host.row.id, network: net.name } })).toBe(0)
    const undoRecord = (await db.auditEvent.findMany({ where: { action: 'job.undo.job' } })).find(
      (row) => JSON.parse(row.params).interruptedJobId === job.id,
    )
    expect(undoRecord).toMatchObject({ result: 'success', actorName: user.username })
    await page.close()
  }, 300_000)
})
