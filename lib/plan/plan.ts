import type { ShellCommand } from '@/lib/ssh'

/** One host change: a command with a human label and, where one exists, the command that takes it back. */
export type PlanStep = {
  label: string
  command: ShellCommand
  stdin?: string
  timeoutMs?: number
  undo?: { label: string; command: ShellCommand; stdin?: string }
}

/** `chosen`: values the plan picked for fields the operator left empty (a generated MAC), so a preview can fill them
 * in and the run that follows uses the same ones. */
export type Plan = { title: string; steps: PlanStep[]; chosen?: Record<string, string> }

export type StepOutcome = {
  label: string
  command: string
  status: 'done' | 'failed' | 'undone' | 'undo-failed' | 'not-run'
  exitCode: number | null
  output: string
}

/** `input`: what the step writes on the command's stdin (a definition, a file), shown in previews. */
export type PlannedStep = { label: string; command: string; undo: string | null; input?: string }

const shownInput = 20_000

/** What a dry run shows: the exact commands, in order, with their undo (and, when asked, what goes on stdin). */
export function describePlan(plan: Plan, options: { withInput?: boolean } = {}): PlannedStep[] {
  return plan.steps.map((step) => ({
    label: step.label,
    command: String(step.command),
    undo: step.undo ? String(step.undo.command) : null,
    ...(options.withInput && step.stdin !== undefined
      ? {
          input:
            step.stdin.length > shownInput
              ? `${step.stdin.slice(0, shownInput)}\n… (${step.stdin.length - shownInput} more characters)`
              : step.stdin,
        }
      : {}),
  }))
}
