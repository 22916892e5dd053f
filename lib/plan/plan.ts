import type { ShellCommand } from '@/lib/ssh'

/** One host change: a command with a human label and, where one exists, the command that takes it back. */
export type PlanStep = {
  label: string
  command: ShellCommand
  stdin?: string
  timeoutMs?: number
  undo?: { label: string; command: ShellCommand; stdin?: string }
}

export type Plan = { title: string; steps: PlanStep[] }

export type StepOutcome = {
  label: string
  command: string
  status: 'done' | 'failed' | 'undone' | 'undo-failed' | 'not-run'
  exitCode: number | null
  output: string
}

/** What a dry run shows: the exact commands, in order, with their undo. */
export function describePlan(plan: Plan): Array<{ label: string; command: string; undo: string | null }> {
  return plan.steps.map((step) => ({ label: step.label, command: String(step.command), undo: step.undo ? String(step.undo.command) : null }))
}
