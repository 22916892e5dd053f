import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { db } from '@/lib/db/client'
import { virsh } from '@/lib/libvirt/virsh'
import { buildNatNetworkXml } from '@/lib/libvirt-xml/network-build'
import type { Plan } from '@/lib/plan/plan'
import { startPlanJob } from '@/lib/jobs/plan-job'
import { inHostB, registeredLabHost } from '@/lib/test/lab'

const name = `itest-job-${process.pid}`
const actor = { id: null, username: 'itest' }
let host: Awaited<ReturnType<typeof registeredLabHost>>

const removeNetwork = () =>
  inHostB(`virsh -q net-destroy ${name} 2>/dev/null; virsh -q net-undefine ${name} 2>/dev/null; true`)
const xml = buildNatNetworkXml({ name, bridge: 'vbjob0', ipv4Cidr: `10.246.${process.pid % 250}.0/24` })

function startTestJob(plan: Plan) {
  return startPlanJob({
    host: host.row,
    target: host.target,
    plan,
    actor,
    permission: 'manageNetworks',
    action: 'itest.job',
  })
}

describe('plans run as jobs', () => {
  beforeAll(async () => {
    host = await registeredLabHost('lab-b')
  })
  afterAll(removeNetwork)

  it('records every step live and audits the outcome with its commands', async () => {
    removeNetwork()
    const plan: Plan = {
      title: `Create network ${name}`,
      steps: [
        {
          label: `Define network ${name}`,
          command: virsh('net-define', '--file', '/dev/stdin'),
          stdin: xml,
          undo: { label: `Undefine network ${name}`, command: virsh('net-undefine', '--network', name) },
        },
        {
          label: `Enable autostart of ${name}`,
          command: virsh('net-autostart', '--network', name),
          undo: {
            label: `Disable autostart of ${name}`,
            command: virsh('net-autostart', '--network', name, '--disable'),
          },
        },
        {
          label: `Start network ${name}`,
          command: virsh('net-start', '--network', name),
          undo: { label: `Stop network ${name}`, command: virsh('net-destroy', '--network', name) },
        },
      ],
    }
    const { jobId, done } = await startTestJob(plan)
    // while it runs, the job keeps its plan (sealed) for a restart to act on; once it ends by itself, it is dropped
    expect(await db.job.findUniqueOrThrow({ where: { id: jobId } })).toMatchObject({
      status: 'running',
      plan: expect.stringContaining(`"stdin":${JSON.stringify(xml)}`),
      planSeal: expect.stringMatching(/^[0-9a-f]{64}$/),
    })
    await done
    const job = await db.job.findUniqueOrThrow({
      where: { id: jobId },
      include: { steps: { orderBy: { position: 'asc' } } },
    })
    expect(job).toMatchObject({ status: 'succeeded', plan: null, planSeal: null })
    expect(job.steps.map((step) => [step.label, step.status])).toEqual([
      [`Define network ${name}`, 'done'],
      [`Enable autostart of ${name}`, 'done'],
      [`Start network ${name}`, 'done'],
    ])
    expect(inHostB(`virsh -q net-info ${name}`)).toMatch(/Active:\s+yes/)
    const audit = await db.auditEvent.findFirstOrThrow({ where: { action: 'itest.job' }, orderBy: { id: 'desc' } })
    expect(audit.result).toBe('success')
    expect(JSON.parse(audit.commands).map((c: { command: string }) => c.command)).toEqual(
      plan.steps.map((step) => String(step.command)),
    )
  })

  // A job a restart cuts short: lib/jobs/restart.itest.ts kills the real server mid-job and starts it again.
  it("marks a failed job as failed, with the host's reason", async () => {
    const plan = {
      title: 'fails',
      // lab B's default network always runs (this test does not depend on the one the other test creates)
      steps: [{ label: 'Start a network that is running', command: virsh('net-start', '--network', 'default') }],
    }
    const { jobId, done } = await startTestJob(plan)
    await done
    expect(await db.job.findUniqueOrThrow({ where: { id: jobId } })).toMatchObject({
      status: 'failed',
      error: expect.stringContaining('already active'),
    })
  })
})
