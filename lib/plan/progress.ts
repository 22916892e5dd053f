/** How a step of a running plan ends, as progress reports it. */
export type StepProgressStatus = 'done' | 'failed' | 'undone' | 'skipped'

/**
 * Where the executor reports a plan's progress as it runs. lib/plan owns this interface so that it needs nothing
 * above it; a background job (lib/jobs) implements it to show live steps.
 */
export interface PlanProgress {
  stepStarted(index: number): Promise<void>
  stepFinished(
    index: number,
    status: StepProgressStatus,
    result?: { exitCode?: number; output?: string },
  ): Promise<void>
}
