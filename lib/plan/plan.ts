import type { ShellCommand } from '@/lib/ssh'

/** One host change: a command with a human label and, where one exists, the command that takes it back. */
export type PlanStep = {
  label: string
  command: ShellCommand
  stdin?: string
  timeoutMs?: number
  /** Run over a new SSH connection of its own rather than the host's kept one: proves the host takes new logins. */
  newConnection?: boolean
  /** The benchmark's name for this step's round trip (lib/core/phases.ts). */
  phase?: string
  undo?: { label: string; command: ShellCommand; stdin?: string }
  /**
   * A read-only command that exits 0 while this step's change is in effect on the host (and non-zero when it is not).
   * When a dashboard restart cuts a job short, the start-up re-reads the host with it to say what the step left.
   */
  probe?: ShellCommand
  /**
   * For a step whose command and stdin carry several users' parts (a host's whole forward table): whose each stdin
   * line is (null: no one's, e.g. a header), what one such line is called, and the command as it is shown to someone
   * who may see only their own parts. The step runs complete; `describePlan(plan, { onlyOwner })` shows that view.
   */
  owners?: { stdinLines?: Array<string | null>; lineName?: { one: string; many: string }; sharedCommand?: string }
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

/**
 * What a dry run shows: the exact commands, in order, with their undo (and, when asked, what goes on stdin). With
 * `onlyOwner` (a self-service user's id), steps that carry other users' parts show only that user's lines and how
 * many others stay as they are: the one place a plan is narrowed for a tenant, whether a preview shows it or not.
 */
export function describePlan(plan: Plan, options: { withInput?: boolean; onlyOwner?: string } = {}): PlannedStep[] {
  return plan.steps.map((step) => {
    const narrowed = options.onlyOwner !== undefined && step.owners ? step.owners : null
    const stdin = narrowed && step.stdin !== undefined ? ownLines(step.stdin, narrowed, options.onlyOwner!) : step.stdin
    return {
      label: step.label,
      command: narrowed?.sharedCommand ?? String(step.command),
      undo: step.undo ? String(step.undo.command) : null,
      ...(options.withInput && stdin !== undefined
        ? {
            input:
              stdin.length > shownInput
                ? `${stdin.slice(0, shownInput)}\n… (${stdin.length - shownInput} more characters)`
                : stdin,
          }
        : {}),
    }
  })
}

/** The stdin lines that are no one's or `owner`'s, and a last line saying how many of other users' stay unchanged. */
function ownLines(stdin: string, owners: NonNullable<PlanStep['owners']>, owner: string): string {
  if (!owners.stdinLines) return stdin
  const lines = stdin.split('\n')
  // A line the step did not say the owner of is nobody's to see but its owner's: shown to no one narrowed.
  const whose = (index: number) => (index < owners.stdinLines!.length ? owners.stdinLines![index] : undefined)
  const kept = lines.filter((_, index) => whose(index) === null || whose(index) === owner)
  const hidden = lines.length - kept.length
  if (!hidden) return stdin
  const name = owners.lineName ?? { one: 'line', many: 'lines' }
  const note = `# ${hidden} other ${hidden === 1 ? name.one : name.many} of other users ${hidden === 1 ? 'is' : 'are'} kept unchanged.`
  const last = kept.at(-1) === '' ? kept.length - 1 : kept.length
  return [...kept.slice(0, last), note, ...kept.slice(last)].join('\n')
}
