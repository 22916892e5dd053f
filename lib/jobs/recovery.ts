import 'server-only'
import { db } from '@/lib/db/client'
import { OperatorError } from '@/lib/core/errors'
import type { Actor, HostRef } from '@/lib/core/types'
import { recordCommands, run, sh, type CommandRecord, type HostTarget } from '@/lib/ssh'
import { allows, authorize } from '@/lib/auth/authorize'
import type { SessionUser } from '@/lib/auth/session'
import { recordAudit } from '@/lib/audit/record'
import { stopIfPreviewing } from '@/lib/plan/dry-run'
import type { Plan } from '@/lib/plan/plan'
import { cutShortNote } from '@/lib/jobs/jobs'
import { replicaId, replicaName, staleAfterMs } from '@/lib/jobs/replica'
import { startPlanJob } from '@/lib/jobs/plan-job'
import { openSavedPlan, planStepOf, savedCommand, undoStepOf, type SavedPlan } from '@/lib/jobs/saved-plan'

/*
 * Work that survives a restart of the dashboard. A restart kills the plans its jobs were running; what each job did is
 * in the database (its steps, live) and what it meant to do too (its saved plan, lib/jobs/saved-plan.ts). At start-up
 * every job that was running is marked interrupted, its host is re-read (is it reachable; for each step that ran and
 * carries a probe, is its change in effect) and the job's final audit record says what ran, what is left on the host
 * and how to undo it. An operator then chooses, once, between undoing the finished steps and resuming the rest: either
 * runs as a new plan job through the one executor.
 */

type JobWithSteps = NonNullable<Awaited<ReturnType<typeof loadJob>>>
type StepRow = JobWithSteps['steps'][number]

const loadJob = (jobId: string) =>
  db.job.findUnique({ where: { id: jobId }, include: { steps: { orderBy: { position: 'asc' } }, host: true } })

const hostCheckTimeoutMs = 15_000
export const recheckStepLabel = 'After the restart: re-read the host'

/** What one step of an interrupted job came to, as the start-up's re-read of the host tells it. */
type StepState = 'finished' | 'undone' | 'failed' | 'cut short' | 'not started'
type Probe = { inEffect: boolean; output: string } | { error: string }
type StepReport = {
  position: number
  label: string
  command: string | null
  state: StepState
  /** it was running when the restart came (its state says what the re-read made of it) */
  cutShort: boolean
  probe?: Probe
  undo: string | null
}

export type RecheckReport = {
  jobId: string
  title: string
  host: string | null
  reachable: boolean
  hostNote: string
  steps: StepReport[]
  summary: string
}

function stateOf(row: StepRow): StepState {
  if (row.status === 'done') return 'finished'
  if (row.status === 'undone') return 'undone'
  if (row.status === 'failed') return row.output?.startsWith(cutShortNote) ? 'cut short' : 'failed'
  return 'not started'
}

const probeText = (probe: Probe | undefined) =>
  !probe
    ? ''
    : 'error' in probe
      ? `; the host could not be checked: ${probe.error}`
      : `; the host reports it ${probe.inEffect ? 'in effect' : 'not in effect'}${probe.output ? ` (${probe.output})` : ''}`

const quoted = (steps: StepReport[]) => steps.map((step) => `"${step.label}"`).join(', ')

/** The job's plan steps (without a job's closing check, which no saved plan carries), each with what came of it. */
function stepReports(job: JobWithSteps, saved: SavedPlan | null): StepReport[] {
  const rows = saved ? job.steps.filter((row) => row.position < saved.steps.length) : job.steps
  return rows
    .filter((row) => row.label !== recheckStepLabel)
    .map((row) => ({
      position: row.position,
      label: row.label,
      command: row.command,
      state: stateOf(row),
      cutShort: stateOf(row) === 'cut short',
      undo: saved?.steps[row.position]?.undo?.command ?? null,
    }))
}

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error))

/** Reachability first; then each step that ran and whose plan step carries a probe. */
async function readHost(
  job: JobWithSteps,
  saved: SavedPlan | null,
  steps: StepReport[],
  targetOf: (hostId: string) => Promise<HostTarget>,
): Promise<{ reachable: boolean; note: string }> {
  if (!job.hostId || !job.host) return { reachable: false, note: 'The job names no host (it may have been removed).' }
  let target: HostTarget
  try {
    target = await targetOf(job.hostId)
  } catch (error) {
    return { reachable: false, note: `${job.host.name} cannot be reached: ${errorText(error)}` }
  }
  try {
    const answer = await run(target, sh`uname -n`, { timeoutMs: hostCheckTimeoutMs })
    const ran = steps.filter((step) => step.state !== 'not started')
    for (const step of ran) {
      const probe = saved?.steps[step.position]?.probe
      if (!probe) continue
      try {
        const result = await run(target, savedCommand(probe), { allowFailure: true, timeoutMs: hostCheckTimeoutMs })
        const output = [result.stdout, result.stderr].filter(Boolean).join('\n').trim().slice(0, 500)
        step.probe = { inEffect: result.exitCode === 0, output }
      } catch (error) {
        step.probe = { error: errorText(error) }
      }
    }
    return { reachable: true, note: `${job.host.name} answers (${answer.stdout.trim()}).` }
  } catch (error) {
    return {
      reachable: false,
      note: `${job.host.name} did not answer (${errorText(error)}): what the job left there is unknown.`,
    }
  }
}

function reportText(steps: StepReport[], hostNote: string): string {
  const lines = steps.map((step) => {
    const undo = step.state === 'finished' ? (step.undo ? `; undo: ${step.undo}` : '; no undo') : ''
    const known = step.state === 'cut short' && !step.probe ? '; it may or may not have taken effect' : ''
    const state = step.cutShort && step.state === 'finished' ? 'cut short, then found in effect: finished' : step.state
    return `${step.position + 1}. ${step.label}: ${state}${probeText(step.probe)}${known}${undo}`
  })
  return [hostNote, ...lines].join('\n')
}

function summaryOf(steps: StepReport[], hostNote: string, recoverable: boolean, cause: string): string {
  const of = (state: StepState) => steps.filter((step) => step.state === state)
  const finished = of('finished')
  const parts = [
    `${cause}: ${finished.length} of ${steps.length} steps finished${finished.length ? ` (${quoted(finished)})` : ''}.`,
  ]
  const confirmed = finished.filter((step) => step.cutShort)
  if (confirmed.length) parts.push(`Cut short, but found in effect on the host: ${quoted(confirmed)}.`)
  const notInEffect = of('cut short').filter((step) => step.probe && 'inEffect' in step.probe)
  const unknown = of('cut short').filter((step) => !notInEffect.includes(step))
  if (notInEffect.length) parts.push(`Cut short, not in effect on the host: ${quoted(notInEffect)}.`)
  if (unknown.length)
    parts.push(
      `Cut short, it may or may not have taken effect: ${unknown.map((step) => `"${step.label}" (${step.undo ? `undo: ${step.undo}` : 'no undo'})`).join('; ')}.`,
    )
  if (of('failed').length) parts.push(`Failed before the restart: ${quoted(of('failed'))}.`)
  if (of('undone').length) parts.push(`Already undone: ${quoted(of('undone'))}.`)
  if (of('not started').length) parts.push(`Not started: ${quoted(of('not started'))}.`)
  const left = finished.toReversed()
  if (left.length)
    parts.push(
      `Left on the host: ${left.map((step) => `"${step.label}" (${step.undo ? `undo: ${step.undo}` : 'no undo'})`).join('; ')}.`,
    )
  parts.push(hostNote)
  parts.push(
    recoverable
      ? 'Undo the finished steps or resume the rest below.'
      : 'Check the host before retrying: this job kept no plan to undo or resume.',
  )
  return parts.join(' ')
}

/** Record for the audit: the steps that ran before the restart, as the job's steps recorded them. */
function commandsThatRan(job: JobWithSteps, steps: StepReport[]): CommandRecord[] {
  return steps.flatMap((step) => {
    const row = job.steps.find((candidate) => candidate.position === step.position)!
    if (step.state === 'not started' || !row.command || !row.startedAt) return []
    return [
      {
        hostId: job.hostId ?? '',
        command: row.command,
        exitCode: row.exitCode,
        stdout: row.output ?? '',
        stderr: '',
        durationMs: row.finishedAt ? row.finishedAt.getTime() - row.startedAt.getTime() : 0,
        startedAt: row.startedAt,
        ...(step.cutShort ? { error: cutShortNote, errorName: 'Interrupted' } : {}),
      },
    ]
  })
}

async function recheckJob(
  job: JobWithSteps,
  targetOf: (hostId: string) => Promise<HostTarget>,
): Promise<RecheckReport> {
  let saved: SavedPlan | null = null
  let planProblem: string | null = null
  if (job.plan) {
    try {
      saved = openSavedPlan(job)
    } catch (error) {
      planProblem = errorText(error)
    }
  }
  const steps = stepReports(job, saved)
  const { result: host, commands } = await recordCommands(() => readHost(job, saved, steps, targetOf))

  // A step cut short whose probe finds its change in effect did finish on the host: it counts as finished (undo takes
  // it back, resume does not run it again).
  for (const step of steps) {
    if (step.state !== 'cut short' || !step.probe || 'error' in step.probe) continue
    const inEffect = step.probe.inEffect
    if (inEffect) step.state = 'finished'
    await db.jobStep.update({
      where: { jobId_position: { jobId: job.id, position: step.position } },
      data: {
        status: inEffect ? 'done' : 'failed',
        output: `${cutShortNote} Re-read after the restart: its change is ${inEffect ? 'in effect on the host, so it counts as finished' : 'not in effect on the host'}.`,
      },
    })
  }

  const hostNote = planProblem ? `${host.note} ${planProblem}` : host.note
  // Why the job was cut short, as it was marked (lib/jobs/takeover.ts): a restart, or another replica taking it over.
  const cause = job.error?.split('; check the host')[0] || 'The dashboard restarted while this job ran'
  const summary = summaryOf(steps, hostNote, saved !== null, cause)
  const report = reportText(steps, hostNote)
  const now = new Date()
  const position = Math.max(-1, ...job.steps.map((row) => row.position)) + 1
  await db.jobStep.create({
    data: {
      jobId: job.id,
      position,
      label: recheckStepLabel,
      status: host.reachable ? 'done' : 'failed',
      output: report,
      startedAt: now,
      finishedAt: now,
    },
  })
  const named = (state: StepState) => steps.filter((step) => step.state === state).map((step) => step.label)
  await recordAudit({
    actor: saved?.actor ?? { id: null, username: job.actorName },
    host: job.host ? { id: job.host.id, name: job.host.name } : null,
    action: job.kind,
    target: saved?.audit.target ?? job.title,
    params: {
      jobId: job.id,
      ...saved?.audit.params,
      interrupted: true,
      hostReachable: host.reachable,
      finished: named('finished'),
      cutShort: steps.filter((step) => step.cutShort).map((step) => step.label),
      undone: named('undone'),
      failed: named('failed'),
      notStarted: named('not started'),
      leftOnHost: steps
        .filter((step) => step.state === 'finished')
        .toReversed()
        .map((step) => ({ step: step.label, undo: step.undo })),
      probes: steps.flatMap((step) => (step.probe ? [{ step: step.label, ...step.probe }] : [])),
    },
    commands: [...commandsThatRan(job, steps), ...commands],
    result: 'failure',
    error: summary,
  })
  // Last: a job whose record is not written yet is re-read again at the next start.
  await db.job.update({ where: { id: job.id }, data: { error: summary, recheckedAt: now } })
  return {
    jobId: job.id,
    title: job.title,
    host: job.host?.name ?? null,
    reachable: host.reachable,
    hostNote,
    steps,
    summary,
  }
}

/**
 * The start-up's second half: for every interrupted job not yet re-read, re-read its host and write its final audit
 * record. `targetOf` resolves a host id to a connectable target (lib/hosts sits above this folder).
 */
const jobsBeingRechecked = new Set<string>()

export async function recheckInterruptedJobs(
  targetOf: (hostId: string) => Promise<HostTarget>,
  { ownPredecessors = false } = {},
): Promise<RecheckReport[]> {
  // Each replica re-reads the jobs it claimed (lib/jobs/takeover.ts), and those whose re-read another one left
  // unfinished (it died meanwhile, or the job was marked before replicas named their jobs).
  const stale = new Date(Date.now() - staleAfterMs)
  await db.job.updateMany({
    where: {
      status: 'interrupted',
      recheckedAt: null,
      OR: [
        { ownerId: null },
        { heartbeatAt: { lt: stale } },
        ...(ownPredecessors ? [{ ownerId: { startsWith: `${replicaName}#`, not: replicaId } }] : []),
      ],
    },
    data: { ownerId: replicaId, heartbeatAt: new Date() },
  })
  const jobs = (
    await db.job.findMany({
      where: { status: 'interrupted', recheckedAt: null, ownerId: replicaId },
      include: { steps: { orderBy: { position: 'asc' } }, host: true },
      orderBy: { createdAt: 'asc' },
    })
  ).filter((job) => !jobsBeingRechecked.has(job.id))
  // The start-up's pass and the stale-job watcher's run in the same process and may overlap: a job whose re-read is
  // under way is left to it, or its final audit record would be written twice.
  for (const job of jobs) jobsBeingRechecked.add(job.id)
  const outcomes = await Promise.allSettled(
    jobs.map((job) => recheckJob(job, targetOf).finally(() => jobsBeingRechecked.delete(job.id))),
  )
  return outcomes.flatMap((outcome, index) => {
    if (outcome.status === 'fulfilled') return [outcome.value]
    // That job stays un-read and is re-read at the next start; the others are not held up by it.
    console.error(`Re-reading the host of interrupted job ${jobs[index]!.id} failed:`, outcome.reason)
    return []
  })
}

export type RecoveryChoice = 'undo' | 'resume'
const choiceLabel: Record<RecoveryChoice, string> = { undo: 'Undo finished steps', resume: 'Resume' }

/** The interrupted job with its saved plan, or a refusal saying why neither undo nor resume may run. */
async function interruptedJob(jobId: string): Promise<{ job: JobWithSteps; saved: SavedPlan }> {
  const job = await loadJob(jobId)
  if (!job) throw new OperatorError('That job does not exist.')
  if (job.status !== 'interrupted')
    throw new OperatorError('Only a job that a restart of the dashboard cut short can be undone or resumed.')
  if (job.recoveryChoice)
    throw new OperatorError(
      `"${choiceLabel[job.recoveryChoice as RecoveryChoice] ?? job.recoveryChoice}" was already chosen for this job${job.recoveryJobId ? ` (job ${job.recoveryJobId})` : ''}; neither runs twice.`,
    )
  if (!job.recheckedAt)
    throw new OperatorError(
      'The dashboard is still re-reading the host of this job after the restart; try again in a moment.',
    )
  return { job, saved: openSavedPlan(job) }
}

/** For an action's host resolver: the host of an interrupted job the user may act on (the permission that starts it). */
export async function interruptedJobHostId(jobId: string, user: SessionUser): Promise<string> {
  const { saved } = await interruptedJob(jobId)
  if (!allows(user, saved.permission))
    throw new OperatorError(
      `Your role (${user.role}) may not start this kind of job, so it may not undo or resume one either.`,
    )
  return saved.hostId
}

const finishedPositions = (steps: StepRow[]) =>
  new Set(steps.filter((row) => row.status === 'done').map((row) => row.position))

/** The plan of a choice: the finished steps' undo, newest first; or the steps that did not finish, in order. */
function recoveryPlan(choice: RecoveryChoice, steps: StepRow[], saved: SavedPlan): { plan: Plan; kept: string[] } {
  const finished = finishedPositions(steps)
  if (choice === 'resume') {
    const rest = saved.steps.filter((_, position) => !finished.has(position))
    if (!rest.length) throw new OperatorError('Every step of this job finished: there is nothing to resume.')
    return { plan: { title: `Resume: ${saved.title}`, steps: rest.map(planStepOf) }, kept: [] }
  }
  const done = saved.steps.filter((_, position) => finished.has(position)).toReversed()
  const undoable = done.flatMap((step) => (step.undo ? [{ ...step, undo: step.undo }] : []))
  const kept = done.filter((step) => !step.undo).map((step) => step.label)
  if (!undoable.length)
    throw new OperatorError(
      done.length
        ? `The finished steps of this job have no undo (${kept.join('; ')}): there is nothing to undo.`
        : 'No step of this job finished: there is nothing to undo.',
    )
  return { plan: { title: `Undo the finished steps of: ${saved.title}`, steps: undoable.map(undoStepOf) }, kept }
}

/**
 * Undoes the finished steps of an interrupted job, or resumes the steps that did not finish, as a new plan job (a
 * preview stops at the plan). The job records the choice before the new job starts, so neither runs twice.
 */
export async function startRecovery(
  choice: RecoveryChoice,
  jobId: string,
  host: HostRef,
  target: HostTarget,
  actor: Actor,
): Promise<{ jobId: string; done: Promise<void>; message: string }> {
  const { job, saved } = await interruptedJob(jobId)
  if (saved.hostId !== host.id) throw new OperatorError('This job ran on another host.')
  const { plan, kept } = recoveryPlan(choice, job.steps, saved)
  stopIfPreviewing(plan)
  const claimed = await db.job.updateMany({
    where: { id: jobId, status: 'interrupted', recoveryChoice: null, recheckedAt: { not: null } },
    data: { recoveryChoice: choice },
  })
  if (claimed.count !== 1) throw new OperatorError('Someone else chose for this job a moment ago; neither runs twice.')
  let started: { jobId: string; done: Promise<void> }
  try {
    started = await startPlanJob({
      host,
      target,
      plan,
      actor,
      permission: saved.permission,
      action: `job.${choice}.job`,
      auditTarget: saved.audit.target,
      auditParams: { interruptedJobId: jobId },
    })
  } catch (error) {
    await db.job.update({ where: { id: jobId }, data: { recoveryChoice: null } })
    throw error
  }
  // The new job keeps its own saved plan; this one's is needed no more.
  await db.job.update({ where: { id: jobId }, data: { recoveryJobId: started.jobId, plan: null, planSeal: null } })
  const count = `${plan.steps.length} step${plan.steps.length === 1 ? '' : 's'}`
  const message =
    choice === 'undo'
      ? `Undoing ${count}${kept.length ? `; kept (no undo): ${kept.join('; ')}` : ''}…`
      : `Resuming with ${count}…`
  return { ...started, message }
}

export type JobRecovery =
  | { state: 'rechecking' }
  | { state: 'chosen'; choice: RecoveryChoice; recoveryJobId: string | null }
  | { state: 'unavailable'; reason: string }
  | { state: 'open'; undo: string[]; resume: string[]; resumeNote: string | null }

/** What the page of an interrupted job offers: undo and resume with the steps each would run, or why not. */
export async function getJobRecovery(jobId: string): Promise<JobRecovery | null> {
  await authorize('viewJobs')
  const job = await loadJob(jobId)
  if (!job || job.status !== 'interrupted') return null
  if (job.recoveryChoice)
    return { state: 'chosen', choice: job.recoveryChoice as RecoveryChoice, recoveryJobId: job.recoveryJobId }
  if (!job.recheckedAt) return { state: 'rechecking' }
  if (!job.plan) return { state: 'unavailable', reason: 'This job kept no plan to undo or resume.' }
  let saved: SavedPlan
  try {
    saved = openSavedPlan(job)
  } catch (error) {
    return { state: 'unavailable', reason: errorText(error) }
  }
  const labels = (choice: RecoveryChoice) => {
    try {
      return recoveryPlan(choice, job.steps, saved).plan.steps.map((step) => step.label)
    } catch {
      return []
    }
  }
  return {
    state: 'open',
    undo: labels('undo'),
    resume: labels('resume'),
    resumeNote: saved.followUp
      ? 'Resume runs the host commands only: what this job would have done after them (recording the desired state, a closing check) does not run; re-read the host page afterwards.'
      : null,
  }
}
