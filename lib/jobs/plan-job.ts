import 'server-only'
import { recordCommands, recordedCommandsOf, type HostTarget } from '@/lib/ssh'
import { recordAudit } from '@/lib/audit/record'
import { executePlan } from '@/lib/plan/execute'
import { describePlan, type Plan } from '@/lib/plan/plan'
import { createJob } from '@/lib/jobs/jobs'
import { stopIfPreviewing } from '@/lib/plan/dry-run'

type JobRequest = {
  host: { id: string; name: string }
  target: HostTarget
  plan: Plan
  actor: { id: string | null; username: string }
  /** audit action of the job's own record, e.g. "network.restore-default.job" */
  action: string
  auditTarget?: string
  /** runs after the plan succeeded, before the job is marked done (e.g. re-reading the host into desired state) */
  afterSuccess?: () => Promise<unknown>
}

/**
 * Runs a plan in the background as a job and returns its id at once; the page follows the job live. The action
 * that started it audits the start; the job writes its own audit record with every command and the outcome.
 */
export async function startPlanJob(request: JobRequest): Promise<{ jobId: string; done: Promise<void> }> {
  const { host, target, plan, actor, action } = request
  stopIfPreviewing(plan)
  const job = await createJob({
    kind: action,
    title: plan.title,
    hostId: host.id,
    actorName: actor.username,
    steps: describePlan(plan),
  })
  const record = { actor, host, action, target: request.auditTarget ?? plan.title, params: { jobId: job.jobId } }
  const done = recordCommands(async () => {
    await executePlan(target, plan, job)
    await request.afterSuccess?.()
  }).then(
    async ({ commands }) => {
      await job.finish('succeeded')
      await recordAudit({ ...record, commands, result: 'success' })
    },
    async (error: Error) => {
      await job.finish('failed', error.message)
      await recordAudit({
        ...record,
        commands: recordedCommandsOf(error) ?? [],
        result: 'failure',
        error: error.message,
      })
    },
  )
  return { jobId: job.jobId, done }
}
