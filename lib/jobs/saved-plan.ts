import 'server-only'
import { createHash, timingSafeEqual } from 'node:crypto'
import { sh, type ShellCommand } from '@/lib/ssh'
import { OperatorError } from '@/lib/core/errors'
import type { Actor } from '@/lib/core/types'
import type { Permission } from '@/lib/auth/roles'
import { currentSealKey, sealKeyForWriting, sealOf } from '@/lib/audit/seal'
import type { Plan, PlanStep } from '@/lib/plan/plan'

/*
 * A job's plan as the database keeps it while the job may still need it: each step's command text, what it writes on
 * stdin (definitions and files, never a password: no plan carries one), its undo and its probe. A restart loses the
 * plan in memory; with this the start-up can say what the job left on the host and an operator can undo the finished
 * steps or run the rest. It is cleared once the job ends by itself or someone chose what to do with it.
 *
 * Its commands come back from the database as text, which then reaches a root shell on a host: the saved plan is
 * sealed with an HMAC under the audit seal key, which lives outside the database, so whoever can only write the
 * database cannot slip a command in. A plan whose seal does not match is refused, not run.
 */

type SavedCommand = { label: string; command: string; stdin?: string }
export type SavedStep = SavedCommand & { timeoutMs?: number; undo?: SavedCommand; probe?: string }

export type SavedPlan = {
  version: 1
  hostId: string
  title: string
  /** who may undo or resume the job: the permission that starts it */
  permission: Permission
  actor: Actor
  /** what the job's own audit record names, so the record written after a restart matches it */
  audit: { target: string; params: Record<string, unknown> }
  /** the job also did work of its own after the plan (recording desired state, a closing check), which no saved plan
   * can carry: a resume runs the host commands only */
  followUp: boolean
  steps: SavedStep[]
}

export function savedPlanOf(plan: Plan, context: Omit<SavedPlan, 'version' | 'title' | 'steps'>): SavedPlan {
  return {
    version: 1,
    title: plan.title,
    ...context,
    steps: plan.steps.map((step) => ({
      label: step.label,
      command: String(step.command),
      ...(step.stdin === undefined ? {} : { stdin: step.stdin }),
      ...(step.timeoutMs === undefined ? {} : { timeoutMs: step.timeoutMs }),
      ...(step.undo
        ? {
            undo: {
              label: step.undo.label,
              command: String(step.undo.command),
              ...(step.undo.stdin === undefined ? {} : { stdin: step.undo.stdin }),
            },
          }
        : {}),
      ...(step.probe ? { probe: String(step.probe) } : {}),
    })),
  }
}

// The seal covers the job's id too, so a saved plan cannot be moved onto another job.
const digestOf = (jobId: string, json: string) => createHash('sha256').update(`${jobId}\n${json}`).digest('hex')

/** The columns to store for a job's saved plan. */
export function sealedPlan(jobId: string, saved: SavedPlan): { plan: string; planSeal: string } {
  const plan = JSON.stringify(saved)
  return { plan, planSeal: sealOf(sealKeyForWriting().key, digestOf(jobId, plan)) }
}

/** The job's saved plan, or a refusal when there is none or it is not the one Virtnet stored. */
export function openSavedPlan(job: { id: string; plan: string | null; planSeal: string | null }): SavedPlan {
  if (!job.plan) throw new OperatorError('This job kept no plan to act on (it ended, or it was already taken care of).')
  const key = currentSealKey()
  const expected = key && sealOf(key.key, digestOf(job.id, job.plan))
  if (
    !expected ||
    !job.planSeal ||
    job.planSeal.length !== expected.length ||
    !timingSafeEqual(Buffer.from(job.planSeal), Buffer.from(expected))
  )
    throw new OperatorError(
      'The saved plan of this job does not match its seal (it was changed in the database): Virtnet will not run it.',
    )
  return JSON.parse(job.plan) as SavedPlan
}

/**
 * A saved command as a command to run again. The text was built by `sh` when the plan was made and comes back sealed;
 * it still travels as one quoted argument of `sh -c`, so nothing reaches the host's shell outside the quoting function.
 */
export function savedCommand(text: string): ShellCommand {
  return sh`/bin/sh -c ${text}`
}

/** A saved step as the executor runs it again: same command, stdin, undo and probe. */
export function planStepOf(step: SavedStep): PlanStep {
  return {
    label: step.label,
    command: savedCommand(step.command),
    ...(step.stdin === undefined ? {} : { stdin: step.stdin }),
    ...(step.timeoutMs === undefined ? {} : { timeoutMs: step.timeoutMs }),
    ...(step.undo
      ? { undo: { label: step.undo.label, command: savedCommand(step.undo.command), stdin: step.undo.stdin } }
      : {}),
    ...(step.probe ? { probe: savedCommand(step.probe) } : {}),
  }
}

/** A finished step taken back: its undo, which the step itself undoes again should a later undo fail. */
export function undoStepOf(step: SavedStep & { undo: SavedCommand }): PlanStep {
  return {
    label: step.undo.label,
    command: savedCommand(step.undo.command),
    ...(step.undo.stdin === undefined ? {} : { stdin: step.undo.stdin }),
    undo: { label: step.label, command: savedCommand(step.command), stdin: step.stdin },
  }
}
