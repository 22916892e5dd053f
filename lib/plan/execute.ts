import 'server-only'
import { randomUUID } from 'node:crypto'
import { closeHostSession, run, SshError, CommandFailedError, type HostTarget, type RunResult } from '@/lib/ssh'
import { readableHostError } from '@/lib/libvirt/readable-error'
import type { PlanProgress } from '@/lib/plan/progress'
import type { Plan, StepOutcome } from '@/lib/plan/plan'
import { stopIfPreviewing } from '@/lib/plan/dry-run'
import { hostChanged } from '@/lib/plan/host-changed'

/** A plan that stopped part-way: what failed, what was undone, and what (if anything) is still left on the host. */
export class PlanFailedError extends Error {
  constructor(
    message: string,
    readonly outcomes: StepOutcome[],
    readonly leftover: string[],
  ) {
    super(message)
  }
}

const outputOf = (result: Pick<RunResult, 'stdout' | 'stderr'>) =>
  [result.stdout, result.stderr].filter(Boolean).join('\n').trim()

async function runStep(
  host: HostTarget,
  command: Plan['steps'][number]['command'],
  options: { stdin?: string; timeoutMs?: number; newConnection?: boolean; phase?: string },
) {
  // Sessions are kept per target id: an id of its own gets a connection of its own, closed after the step.
  const target = options.newConnection ? { ...host, id: `${host.id}#new-connection-${randomUUID()}` } : host
  try {
    const result = await run(target, command, {
      stdin: options.stdin,
      timeoutMs: options.timeoutMs,
      phase: options.phase,
    })
    return { ok: true as const, exitCode: result.exitCode, output: outputOf(result) }
  } catch (error) {
    if (error instanceof CommandFailedError) {
      return {
        ok: false as const,
        exitCode: error.result.exitCode,
        output: outputOf(error.result),
        reason: readableHostError(error.result.stderr || error.result.stdout),
      }
    }
    if (error instanceof SshError) return { ok: false as const, exitCode: null, output: '', reason: error.message }
    throw error
  } finally {
    if (target !== host) closeHostSession(target.id)
  }
}

/**
 * The one executor for host changes: runs the steps in order, stops at the first failure and undoes the steps
 * already done, newest first. Progress goes to the caller's reporter (a job's, when there is one); the commands reach the audit record
 * through the SSH layer's command recorder.
 */
export async function executePlan(host: HostTarget, plan: Plan, progress?: PlanProgress): Promise<StepOutcome[]> {
  stopIfPreviewing(plan)
  try {
    return await runPlan(host, plan, progress)
  } finally {
    // Whatever happened, the host may differ from what was last read of it (the fleet inventory re-reads it).
    hostChanged(host.id)
  }
}

async function runPlan(host: HostTarget, plan: Plan, progress?: PlanProgress): Promise<StepOutcome[]> {
  const outcomes: StepOutcome[] = plan.steps.map((step) => ({
    label: step.label,
    command: String(step.command),
    status: 'not-run',
    exitCode: null,
    output: '',
  }))
  for (const [index, step] of plan.steps.entries()) {
    await progress?.stepStarted(index)
    const result = await runStep(host, step.command, step)
    outcomes[index] = {
      ...outcomes[index]!,
      status: result.ok ? 'done' : 'failed',
      exitCode: result.exitCode,
      output: result.output,
    }
    await progress?.stepFinished(index, result.ok ? 'done' : 'failed', {
      exitCode: result.exitCode ?? undefined,
      output: result.output,
    })
    if (result.ok) continue

    const leftover: string[] = []
    const undone: string[] = []
    for (let back = index - 1; back >= 0; back--) {
      const undo = plan.steps[back]!.undo
      if (!undo) continue
      const undoResult = await runStep(host, undo.command, { stdin: undo.stdin })
      if (undoResult.ok) {
        undone.push(plan.steps[back]!.label)
        outcomes[back] = { ...outcomes[back]!, status: 'undone' }
        await progress?.stepFinished(back, 'undone')
      } else {
        outcomes[back] = { ...outcomes[back]!, status: 'undo-failed' }
        leftover.push(
          `"${plan.steps[back]!.label}" is still in effect; to undo it run on the host: ${String(undo.command)}`,
        )
      }
    }
    const notUndoable = plan.steps
      .slice(0, index)
      .filter((s) => !s.undo)
      .map((s) => s.label)
    let message = `Step ${index + 1} of ${plan.steps.length} ("${step.label}") failed: ${result.reason}`
    if (undone.length) message += ` Rolled back: ${undone.join('; ')}.`
    if (notUndoable.length) message += ` Already done and kept (no undo needed): ${notUndoable.join('; ')}.`
    if (leftover.length) message += ` Left on the host: ${leftover.join(' ')}`
    throw new PlanFailedError(message, outcomes, leftover)
  }
  return outcomes
}
