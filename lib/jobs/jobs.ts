import 'server-only'
import { db } from '@/lib/db/client'
import { authorize } from '@/lib/auth/authorize'
import type { PlanProgress } from '@/lib/plan/progress'
import { sealedPlan, type SavedPlan } from '@/lib/jobs/saved-plan'
import { heartbeatMs, replicaId } from '@/lib/jobs/replica'

export type StepStatus = 'pending' | 'running' | 'done' | 'failed' | 'undone' | 'skipped'
export type JobStatus = 'running' | 'succeeded' | 'failed' | 'interrupted'

const outputLimit = 8_000
const trim = (text: string) =>
  text.length > outputLimit ? `${text.slice(0, outputLimit)}\n… (${text.length - outputLimit} more characters)` : text

/** Live progress of one job, written to the database as it happens so any page (or a reload) can follow it. */
export class JobReporter implements PlanProgress {
  constructor(readonly jobId: string) {}

  async addStep(position: number, label: string, command?: string) {
    await db.jobStep.upsert({
      where: { jobId_position: { jobId: this.jobId, position } },
      create: { jobId: this.jobId, position, label, status: 'pending', command },
      update: { label, command },
    })
  }

  async stepStarted(position: number) {
    await db.jobStep.update({
      where: { jobId_position: { jobId: this.jobId, position } },
      data: { status: 'running', startedAt: new Date() },
    })
  }

  async stepFinished(position: number, status: StepStatus, result?: { exitCode?: number; output?: string }) {
    await db.jobStep.update({
      where: { jobId_position: { jobId: this.jobId, position } },
      data: {
        status,
        exitCode: result?.exitCode,
        output: result?.output === undefined ? undefined : trim(result.output),
        finishedAt: new Date(),
      },
    })
  }

  /** A job that ended by itself needs its saved plan no more: it goes, with the definitions on its stdin. */
  async finish(status: Exclude<JobStatus, 'running'>, error?: string) {
    await db.job.update({
      where: { id: this.jobId },
      data: { status, error, finishedAt: new Date(), plan: null, planSeal: null },
    })
  }
}

export async function createJob(input: {
  kind: string
  title: string
  hostId?: string | null
  actorName: string
  steps: Array<{ label: string; command?: string }>
  /** kept while the job runs, so that it can be undone or resumed should a restart cut it short */
  plan?: SavedPlan
}) {
  const job = await db.job.create({
    data: {
      kind: input.kind,
      title: input.title,
      hostId: input.hostId ?? null,
      actorName: input.actorName,
      status: 'running',
      ownerId: replicaId,
      heartbeatAt: new Date(),
      steps: {
        create: input.steps.map((step, position) => ({
          position,
          label: step.label,
          command: step.command,
          status: 'pending',
        })),
      },
    },
  })
  if (input.plan) await db.job.update({ where: { id: job.id }, data: sealedPlan(job.id, input.plan) })
  keepJobsAlive()
  return new JobReporter(job.id)
}

/**
 * While this replica runs jobs (or re-reads the hosts of jobs it took over), it renews their heartbeat: another replica
 * sharing the database takes over a running job whose heartbeat went stale (lib/jobs/takeover.ts). One timer per
 * process; it stops itself once nothing of this replica's is left to renew.
 */
let heartbeat: NodeJS.Timeout | null = null
export function keepJobsAlive() {
  if (heartbeat) return
  heartbeat = setInterval(() => {
    void db.job
      .updateMany({
        where: { ownerId: replicaId, OR: [{ status: 'running' }, { status: 'interrupted', recheckedAt: null }] },
        data: { heartbeatAt: new Date() },
      })
      .then(
        ({ count }) => {
          if (count === 0 && heartbeat) {
            clearInterval(heartbeat)
            heartbeat = null
          }
        },
        () => undefined,
      )
  }, heartbeatMs)
  heartbeat.unref()
}

/** What a step that a restart cut short shows; the start-up's re-read of the host tells these steps apart by it. */
export const cutShortNote = 'Cut short: the dashboard restarted while this step ran.'

/**
 * Jobs whose replica stopped (a restart of this one, or the death of another sharing the database) are cut short:
 * `claimStaleJobs` (lib/jobs/takeover.ts) makes them this replica's; this marks them interrupted and says why.
 */
export async function markInterruptedJobs(jobIds: string[], reason: string): Promise<number> {
  if (!jobIds.length) return 0
  const now = new Date()
  await db.jobStep.updateMany({
    where: { status: 'running', jobId: { in: jobIds } },
    data: { status: 'failed', finishedAt: now, output: cutShortNote },
  })
  const { count } = await db.job.updateMany({
    where: { id: { in: jobIds }, status: 'running', ownerId: replicaId },
    data: { status: 'interrupted', finishedAt: now, error: reason },
  })
  return count
}

export async function getJob(jobId: string) {
  await authorize('viewJobs')
  return db.job.findUnique({
    where: { id: jobId },
    // the saved plan (with what its steps write on stdin) stays on the server; the steps show its commands
    omit: { plan: true, planSeal: true },
    include: { steps: { orderBy: { position: 'asc' } }, host: { select: { name: true } } },
  })
}

export async function listRecentJobs(hostId?: string) {
  await authorize('viewJobs')
  return db.job.findMany({
    where: hostId ? { hostId } : {},
    orderBy: { createdAt: 'desc' },
    take: 20,
    omit: { plan: true, planSeal: true },
    include: { host: { select: { name: true } } },
  })
}
