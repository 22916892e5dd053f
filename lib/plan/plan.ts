import type { ShellCommand } from '@/lib/ssh'

/** One host change: a command with a human label and, where one exists, the command that takes it back. */
export type PlanStep = {
  label: string
  command: ShellCommand
  stdin?: string
  timeoutMs?: number
  /** Run over a new SSH connection of its own rather than the host's kept one: proves the host takes new logins. */
  newConnection?: boolean
  undo?: { label: string; command: ShellCommand; stdin?: string }
  /**
   * A read-only command that exits 0 while this step's change is in effect on the host (and non-zero when it is not).
   * When a dashboard restart cuts a job short, the start-up re-reads the host with it to say what the step left.
   */
  probe?: ShellCommand
}

/**
 * What a preview shows besides the steps, by kind (a diff, files to install by hand). lib/plan sits below the
 * capabilities whose previews these are and must not import them, so each capability adds its kind to this
 * interface from its own folder (`declare module '@/lib/plan/plan'`, declaration merging).
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- the capabilities fill it in
export interface PreviewDetailKinds {}

/** One capability's preview detail, tagged with its kind so a form tells them apart. */
export type PreviewDetail = {
  [Kind in keyof PreviewDetailKinds]: { kind: Kind } & PreviewDetailKinds[Kind]
}[keyof PreviewDetailKinds]

/** `chosen`: values the plan picked for fields the operator left empty (a generated MAC), so a preview can fill them
 * in and the run that follows uses the same ones. `detail`: what a preview of this plan shows besides its steps. */
export type Plan = { title: string; steps: PlanStep[]; chosen?: Record<string, string>; detail?: PreviewDetail }

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
