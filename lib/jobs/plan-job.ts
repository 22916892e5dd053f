import 'server-only'
import { recordCommands, recordedCommandsOf, type HostTarget } from '@/lib/ssh'
import { OperatorError } from '@/lib/core/errors'
import { recordAudit } from '@/lib/audit/record'
import { executePlan } from '@/lib/plan/execute'
import { describePlan, type Plan } from '@/lib/plan/plan'
import { createJob, type JobReporter } from '@/lib/jobs/jobs'
import { stopIfPreviewing } from '@/lib/plan/dry-run'
import type { Permission } from '@/lib/auth/roles'
import { savedPlanOf } from '@/lib/jobs/saved-plan'

/** A last job step that checks the outcome once the plan ran: its output shows on the step; a failure fails the job with that message. */
type JobCheck = { label: string; run: () => Promise<{ output: string; failure: string | null }> }

type JobRequest = {
  host: { id: string; name: string }
  target: HostTarget
  plan: Plan
  actor: { id: string | null; username: string }
  /** the permission that starts this job: who may undo or resume it should a restart cut it short */
  permission: Permission
  /** audit action of the job's own record, e.g. "network.restore-default.job" */
  action: string
  auditTarget?: string
  /** recorded beside the job id in the job's audit record */
  auditParams?: Record<string, unknown>
  /** runs after the plan succeeded, before the job is marked done (e.g. re-reading the host into desired state) */
  afterSuccess?: () => Promise<unknown>
  /** runs after afterSuccess as the job's last step (e.g. comparing the host with what the plan meant to reach) */
  check?: JobCheck
}

async function runCheck(job: JobReporter, position: number, check: JobCheck) {
  await job.stepStarted(position)
  const { output, failure } = await check.run()
  await job.stepFinished(position, failure ? 'failed' : 'done', { output })
  if (failure) throw new OperatorError(failure)
}

/**
 * Runs a plan in the background as a job and returns its id at once; the page follows the job live. The action
 * that started it audits the start; the job writes its own audit record with every command and the outcome.
 */
export async function startPlanJob(request: JobRequest): Promise<{ jobId: string; done: Promise<void> }> {
  const { host, target, plan, actor, action, check } = request
  stopIfPreviewing(plan)
  const steps = [...describePlan(plan), ...(check ? [{ label: check.label }] : [])]
  const auditTarget = request.auditTarget ?? plan.title
  const job = await createJob({
    kind: action,
    title: plan.title,
    hostId: host.id,
    actorName: actor.username,
    steps,
    plan: savedPlanOf(plan, {
      hostId: host.id,
      permission: request.permission,
      actor,
      audit: { target: auditTarget, params: request.auditParams ?? {} },
      followUp: Boolean(request.afterSuccess || check),
    }),
  })
  const record = { actor, host, action, target: auditTarget, params: { jobId: job.jobId, ...request.auditParams } }
  const done = recordCommands(async () => {
    await executePlan(target, plan, job)
    await request.afterSuccess?.()
    if (check) await runCheck(job, plan.steps.length, check)
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
