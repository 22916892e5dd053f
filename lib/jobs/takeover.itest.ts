import { spawn } from 'node:child_process'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { db } from '@/lib/db/client'
import { takeOverStaleJobs } from '@/lib/jobs/takeover'
import { inHostB, registeredLabHost } from '@/lib/test/lab'

/*
 * A replica dies mid-job, for real: a child process (replica "vnpg-dead-…") runs a plan job on lab host B and is
 * killed (SIGKILL) while the job's third step waits. This process, another replica, takes the job over once the dead
 * one's heartbeat is stale: it re-reads host B, undoes the finished steps and audits it; host B, read independently,
 * ends as it was before the job.
 */

const root = path.resolve(import.meta.dirname, '../..')
const suffix = process.pid % 250
const input = {
  name: `vnpg-take-${process.pid}`,
  bridge: `vnpgtk${suffix}`,
  ipv4Cidr: `10.238.${suffix}.0/24`,
  holdFile: `/tmp/vnpg-take-${process.pid}.hold`,
}
const deadReplica = `vnpg-dead-${process.pid}`
let hostB: Awaited<ReturnType<typeof registeredLabHost>>

async function until<T>(what: string, read: () => Promise<T | null | undefined | false>, ms = 60_000): Promise<T> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((resolve) => setTimeout(resolve, 100))) {
    const value = await read()
    if (value) return value
  }
  throw new Error(`gave up waiting for ${what}`)
}

const networkNames = () => inHostB('virsh -q net-list --all --name').split('\n').filter(Boolean)

describe('a job whose replica dies', () => {
  beforeAll(async () => {
    // the child's job runs on lab-b: registered (and its key pinned) before it starts
    hostB = await registeredLabHost('lab-b')
  })
  afterAll(() => {
    inHostB(
      `rm -f ${input.holdFile}; virsh -q net-destroy ${input.name} 2>/dev/null; virsh -q net-undefine ${input.name} 2>/dev/null; true`,
    )
  })

  it('is taken over by another replica, which re-reads the host, undoes the finished steps and audits it', async () => {
    inHostB(`touch ${input.holdFile}`)
    const child = spawn(
      process.execPath,
      ['--conditions=react-server', '--import', 'tsx', 'lib/test/interrupted-job-child.ts', JSON.stringify(input)],
      { cwd: root, env: { ...process.env, VIRTNET_REPLICA_NAME: deadReplica }, stdio: ['ignore', 'pipe', 'inherit'] },
    )
    const exited = new Promise((resolve) => child.on('exit', resolve))
    let stdout = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    const jobId = await until('the child to start its job', async () => {
      if (child.exitCode !== null) throw new Error(`the child exited early (${child.exitCode})`)
      return stdout.match(/"jobId":"([^"]+)"/)?.[1]
    })
    await until('the wait step to run', () =>
      db.jobStep.findFirst({ where: { jobId, position: 2, status: 'running' } }),
    )
    expect(networkNames()).toContain(input.name)
    child.kill('SIGKILL')
    await exited

    const targetOf = async () => hostB.target
    // Not before the dead replica's heartbeat is stale: polled the way every replica's watch does.
    const rechecked = await until('the takeover', async () => {
      const { marked, rechecked } = await takeOverStaleJobs(targetOf)
      const reports = await rechecked
      return marked > 0 && reports.some((report) => report.jobId === jobId) && reports
    })
    expect(rechecked.find((report) => report.jobId === jobId)).toMatchObject({ reachable: true })

    const job = await db.job.findUniqueOrThrow({ where: { id: jobId } })
    expect(job.status).toBe('interrupted')
    expect(job.error).toContain(`Replica ${deadReplica} stopped answering while this job ran`)
    expect(job.error).toContain('2 of 4 steps finished')
    expect(job.recoveryChoice).toBe('undo')
    const undo = await db.job.findUniqueOrThrow({ where: { id: job.recoveryJobId! } })
    expect(undo.status).toBe('succeeded')
    expect(job.error).toContain(`Undo ran as job ${undo.id}: succeeded.`)

    const [takeover, ...more] = (await db.auditEvent.findMany({ where: { action: 'job.takeover' } })).filter(
      (record) => JSON.parse(record.params).jobId === jobId,
    )
    expect(more).toEqual([])
    expect(takeover).toMatchObject({ result: 'success', hostName: 'lab-b' })
    expect(JSON.parse(takeover!.params)).toMatchObject({ undoJobId: undo.id, hostReachable: true })
    expect(JSON.parse(takeover!.params).from).toMatch(new RegExp(`^${deadReplica}#`))
    // host B, read inside it: as before the job
    expect(networkNames()).not.toContain(input.name)
  })
})
