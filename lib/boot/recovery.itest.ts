import { spawn } from 'node:child_process'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { db } from '@/lib/db/client'
import { previewOf } from '@/lib/plan/dry-run'
import { recoverJobs } from '@/lib/boot/boot'
import { interruptedJobHostId, recheckStepLabel, startRecovery } from '@/lib/jobs/recovery'
import { cutShortNote } from '@/lib/jobs/jobs'
import { inHostB, registeredLabHost } from '@/lib/test/lab'
import { interruptedPlan, type InterruptedPlanInput } from '@/lib/test/interrupted-plan'

/*
 * A restart of the dashboard, for real: a child process runs a plan job on lab host B and is killed (SIGKILL) while
 * the job's third step waits; then this process runs the start-up's recovery, reads host B independently, and
 * undoes (first run) or resumes (second run) the job through the executor.
 */

const root = path.resolve(import.meta.dirname, '../..')
const suffix = process.pid % 250
const runs = {
  undo: { name: `vni-rec-undo-${process.pid}`, bridge: `vnirecu${suffix}`, ipv4Cidr: `10.236.${suffix}.0/24` },
  resume: { name: `vni-rec-res-${process.pid}`, bridge: `vnirecr${suffix}`, ipv4Cidr: `10.237.${suffix}.0/24` },
}
const holdFile = (name: string) => `/tmp/${name}.hold`
const actor = { id: null, username: 'itest' }
let host: Awaited<ReturnType<typeof registeredLabHost>>

const netInfo = (name: string) => inHostB(`virsh -q net-info ${name}`)
const networkNames = () => inHostB('virsh -q net-list --all --name').split('\n').filter(Boolean)

async function until<T>(what: string, read: () => Promise<T | null | undefined>): Promise<T> {
  for (let attempt = 0; attempt < 600; attempt++) {
    const value = await read()
    if (value) return value
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`gave up waiting for ${what}`)
}

/** Starts the plan in a child process, kills it while the wait step runs, and returns the job's id. */
async function interruptMidPlan(input: InterruptedPlanInput): Promise<string> {
  inHostB(`touch ${input.holdFile}`)
  const child = spawn(
    process.execPath,
    ['--conditions=react-server', '--import', 'tsx', 'lib/test/interrupted-job-child.ts', JSON.stringify(input)],
    { cwd: root, env: process.env, stdio: ['ignore', 'pipe', 'inherit'] },
  )
  const exited = new Promise((resolve) => child.on('exit', resolve))
  let stdout = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  const jobId = await until('the child to start its job', async () => {
    if (child.exitCode !== null) throw new Error(`the child exited early (${child.exitCode})`)
    return stdout.match(/"jobId":"([^"]+)"/)?.[1]
  })
  await until('the wait step to run', () => db.jobStep.findFirst({ where: { jobId, position: 2, status: 'running' } }))
  child.kill('SIGKILL')
  await exited
  return jobId
}

async function auditOf(action: string, key: string, jobId: string) {
  const records = await db.auditEvent.findMany({ where: { action }, orderBy: { id: 'asc' } })
  return records.filter((record) => JSON.parse(record.params)[key] === jobId)
}

describe('a job that a restart of the dashboard cuts short', () => {
  beforeAll(async () => {
    host = await registeredLabHost('lab-b')
  })
  afterAll(() => {
    for (const { name } of Object.values(runs))
      inHostB(
        `rm -f ${holdFile(name)}; virsh -q net-destroy ${name} 2>/dev/null; virsh -q net-undefine ${name} 2>/dev/null; true`,
      )
  })

  it('is marked interrupted with a final audit record of what is left, and "Undo finished steps" takes it back', async () => {
    const input = { ...runs.undo, holdFile: holdFile(runs.undo.name) }
    const plan = interruptedPlan(input)
    const labels = plan.steps.map((step) => step.label)
    const jobId = await interruptMidPlan(input)
    inHostB(`rm -f ${input.holdFile}`)

    // The start-up's recovery, then the stale-job watcher's first pass while the start-up's re-read of the host is
    // still under way, as happens right after a start: the job is re-read, and its final audit record written, once.
    // Without care the second pass re-reads the job again: it then fails on the first one's step (logged as a failed
    // re-read) or, a moment later, writes a second final record.
    const errors = vi.spyOn(console, 'error')
    const passes = [await recoverJobs()]
    passes.push(await recoverJobs())
    expect(passes[0]!.marked + passes[1]!.marked).toBeGreaterThanOrEqual(1)
    const reports = (await Promise.all(passes.map((pass) => pass.rechecked))).flat()
    expect(errors.mock.calls.filter((call) => String(call[0]).includes(jobId))).toEqual([])
    errors.mockRestore()
    expect(reports.filter((candidate) => candidate.jobId === jobId)).toHaveLength(1)
    expect(reports.find((candidate) => candidate.jobId === jobId)).toMatchObject({ reachable: true })

    const job = await db.job.findUniqueOrThrow({
      where: { id: jobId },
      include: { steps: { orderBy: { position: 'asc' } } },
    })
    expect(job.status).toBe('interrupted')
    expect(job.recheckedAt).not.toBeNull()
    // the hold file went before the re-read, so the wait step it cut short is found in effect: it counts as finished
    expect(job.error).toContain('3 of 4 steps finished')
    expect(job.steps.map((step) => [step.label, step.status])).toEqual([
      [labels[0], 'done'],
      [labels[1], 'done'],
      [labels[2], 'done'],
      [labels[3], 'pending'],
      [recheckStepLabel, 'done'],
    ])
    expect(job.steps[2]!.output).toMatch(new RegExp(`^${cutShortNote}.*in effect on the host`))

    const [record, ...more] = await auditOf('itest.recovery.job', 'jobId', jobId)
    expect(more).toEqual([])
    expect(record).toMatchObject({ result: 'failure', actorName: 'itest', target: input.name, hostName: 'lab-b' })
    const params = JSON.parse(record!.params)
    expect(params).toMatchObject({
      network: input.name,
      interrupted: true,
      hostReachable: true,
      finished: [labels[0], labels[1], labels[2]],
      cutShort: [labels[2]],
      notStarted: [labels[3]],
      leftOnHost: [
        { step: labels[2], undo: null },
        { step: labels[1], undo: String(plan.steps[1]!.undo!.command) },
        { step: labels[0], undo: String(plan.steps[0]!.undo!.command) },
      ],
      probes: [
        { step: labels[0], inEffect: true },
        { step: labels[1], inEffect: true },
        { step: labels[2], inEffect: true },
      ],
    })
    const commands = JSON.parse(record!.commands).map((command: { command: string }) => command.command)
    expect(commands.slice(0, 3)).toEqual(plan.steps.slice(0, 3).map((step) => String(step.command)))
    // then the re-read: is the host there, and the probes of the steps that ran
    expect(
      commands.slice(3).filter((command: string) => command.includes(`net-info --network ${input.name}`)),
    ).toHaveLength(2)

    // host B, read independently: defined, autostart on, not started, just as the finished steps left it
    expect(netInfo(input.name)).toMatch(/Active:\s+no[\s\S]*Persistent:\s+yes[\s\S]*Autostart:\s+yes/)

    // only roles that may start the job may act on it
    expect(await interruptedJobHostId(jobId, { id: 'x', username: 'op', role: 'operator' })).toBe(host.row.id)
    await expect(interruptedJobHostId(jobId, { id: 'x', username: 'au', role: 'auditor' })).rejects.toThrow(
      /may not undo or resume/,
    )

    // a saved plan edited in the database is refused, not run
    const sealedPlan = job.plan!
    await db.job.update({ where: { id: jobId }, data: { plan: sealedPlan.replace('net-undefine', 'net-destroy') } })
    await expect(startRecovery('undo', jobId, host.row, host.target, actor)).rejects.toThrow(/does not match its seal/)
    await db.job.update({ where: { id: jobId }, data: { plan: sealedPlan } })

    // Preview: the undo commands of the finished steps, newest first; nothing chosen, nothing changed
    const preview = await previewOf(() => startRecovery('undo', jobId, host.row, host.target, actor))
    expect(preview.steps.map((step) => step.label)).toEqual([plan.steps[1]!.undo!.label, plan.steps[0]!.undo!.label])
    expect((await db.job.findUniqueOrThrow({ where: { id: jobId } })).recoveryChoice).toBeNull()
    expect(networkNames()).toContain(input.name)

    const undo = await startRecovery('undo', jobId, host.row, host.target, actor)
    expect(undo.message).toContain(`kept (no undo): ${labels[2]}`)
    await undo.done
    expect(await db.job.findUniqueOrThrow({ where: { id: undo.jobId } })).toMatchObject({
      status: 'succeeded',
      kind: 'job.undo.job',
    })
    expect(networkNames()).not.toContain(input.name)
    expect(await db.job.findUniqueOrThrow({ where: { id: jobId } })).toMatchObject({
      recoveryChoice: 'undo',
      recoveryJobId: undo.jobId,
      plan: null,
    })
    const [undoRecord] = await auditOf('job.undo.job', 'interruptedJobId', jobId)
    expect(undoRecord).toMatchObject({ result: 'success', target: input.name })
    expect(JSON.parse(undoRecord!.commands)).toHaveLength(2)

    // chosen once: neither undo nor resume runs again
    await expect(startRecovery('undo', jobId, host.row, host.target, actor)).rejects.toThrow(/already chosen/)
    await expect(startRecovery('resume', jobId, host.row, host.target, actor)).rejects.toThrow(/already chosen/)
  })

  it('"Resume" runs the steps that did not finish', async () => {
    const input = { ...runs.resume, holdFile: holdFile(runs.resume.name) }
    const labels = interruptedPlan(input).steps.map((step) => step.label)
    const jobId = await interruptMidPlan(input)

    // the hold file is still there at the re-read: the wait step it cut short is not in effect, and stays unfinished
    const { rechecked } = await recoverJobs()
    const report = (await rechecked).find((candidate) => candidate.jobId === jobId)
    expect(report?.steps.map((step) => step.state)).toEqual(['finished', 'finished', 'cut short', 'not started'])
    expect(report?.steps[2]?.probe).toMatchObject({ inEffect: false })
    expect(report?.summary).toContain(`Cut short, not in effect on the host: "${labels[2]}"`)
    expect(netInfo(input.name)).toMatch(/Active:\s+no[\s\S]*Autostart:\s+yes/)

    inHostB(`rm -f ${input.holdFile}`)
    const resume = await startRecovery('resume', jobId, host.row, host.target, actor)
    await resume.done
    const resumed = await db.job.findUniqueOrThrow({
      where: { id: resume.jobId },
      include: { steps: { orderBy: { position: 'asc' } } },
    })
    expect(resumed.status).toBe('succeeded')
    expect(resumed.steps.map((step) => [step.label, step.status])).toEqual([
      [labels[2], 'done'],
      [labels[3], 'done'],
    ])
    expect(netInfo(input.name)).toMatch(/Active:\s+yes[\s\S]*Persistent:\s+yes[\s\S]*Autostart:\s+yes/)
    expect(await db.job.findUniqueOrThrow({ where: { id: jobId } })).toMatchObject({ recoveryChoice: 'resume' })
    const [resumeRecord] = await auditOf('job.resume.job', 'interruptedJobId', jobId)
    expect(resumeRecord).toMatchObject({ result: 'success' })
    await expect(startRecovery('undo', jobId, host.row, host.target, actor)).rejects.toThrow(/already chosen/)
  })
})
