import 'server-only'
// Undo of real plans, proven on the lab: a capability builds its REAL plan (through previewOf, so the plan is exactly
// what the capability would run), and for each step k a plan is derived that runs the real steps before k and then
// fails on the host in place of step k. The one executor runs it; the host, re-read independently before and after,
// must be as it began, and the failure must name every step it undid.
import { expect } from 'vitest'
import { sh, type HostTarget } from '@/lib/ssh'
import { executePlan, PlanFailedError } from '@/lib/plan/execute'
import type { Plan, StepOutcome } from '@/lib/plan/plan'

export const injectedFailureLabel = 'Injected failure (undo test)'

export type FailureScenario = {
  /** "fail at step k+1 of n (label)", or "fail after the last step" */
  name: string
  /** how many real steps run before the injected failure */
  ran: number
  plan: Plan
}

/**
 * One scenario per step that something can fail after: the real steps 0..k-1 run, then a command that fails on the
 * host takes step k's place (k = 1..n; k = n fails after every real step, which is what a later plan or a job's
 * check step does to a finished plan). A step without an undo is kept by the executor, so by default the scenarios
 * stop before the first one; `withoutUndo` lists them so a test can pin which they are. `pastStepsWithoutUndo`: the
 * plan's steps without an undo need none (an earlier step's undo takes their change back too, or they change
 * nothing), so the scenarios go on past them and the host must still end as it began.
 */
export function failureScenarios(
  plan: Plan,
  options: { pastStepsWithoutUndo?: boolean } = {},
): { scenarios: FailureScenario[]; withoutUndo: string[] } {
  const withoutUndo = plan.steps.filter((step) => !step.undo).map((step) => step.label)
  const scenarios: FailureScenario[] = []
  for (let ran = 1; ran <= plan.steps.length; ran++) {
    const before = plan.steps.slice(0, ran)
    if (!options.pastStepsWithoutUndo && before.some((step) => !step.undo)) break
    const failing = { label: injectedFailureLabel, command: sh`echo injected failure >&2; exit 1` }
    scenarios.push({
      name:
        ran < plan.steps.length
          ? `fail at step ${ran + 1} of ${plan.steps.length} (in place of "${plan.steps[ran]!.label}")`
          : `fail after the last step ("${plan.steps[ran - 1]!.label}")`,
      ran,
      plan: { title: `${plan.title} (failing after ${ran} step(s))`, steps: [...before, failing] },
    })
  }
  return { scenarios, withoutUndo }
}

/**
 * Runs one scenario through the executor and checks it: the host's independent snapshot is the same after as
 * before, every real step that ran is reported undone, and the failure's message (what the audit record of the
 * action says) names them newest first.
 */
export async function expectUndone<S>(target: HostTarget, scenario: FailureScenario, snapshot: () => S | Promise<S>) {
  const before = await snapshot()
  const failure = await executePlan(target, scenario.plan).then(
    () => null,
    (error: unknown) => error,
  )
  expect(failure, scenario.name).toBeInstanceOf(PlanFailedError)
  const { outcomes, leftover, message } = failure as PlanFailedError
  const realSteps = scenario.plan.steps.slice(0, scenario.ran)
  expect(
    outcomes.map((o: StepOutcome) => o.status),
    message,
  ).toEqual([...realSteps.map((step) => (step.undo ? 'undone' : 'done')), 'failed'])
  expect(leftover).toEqual([])
  const undone = realSteps
    .filter((step) => step.undo)
    .map((step) => step.label)
    .reverse()
  const kept = realSteps.filter((step) => !step.undo).map((step) => step.label)
  // the executor's message ends with what it undid, then what it kept (a step that needs no undo)
  const keptText = kept.length ? ` Already done and kept (no undo needed): ${kept.join('; ')}.` : ''
  expect(message.endsWith(` Rolled back: ${undone.join('; ')}.${keptText}`), message).toBe(true)
  expect(await snapshot(), `the host after "${scenario.name}"`).toEqual(before)
  return failure as PlanFailedError
}

/** Every scenario of `plan`, one after the other, each from the state the previous one (undone) left. */
export async function expectUndoAtEveryStep<S>(
  target: HostTarget,
  plan: Plan,
  snapshot: () => S | Promise<S>,
  options: { pastStepsWithoutUndo?: boolean } = {},
) {
  const { scenarios, withoutUndo } = failureScenarios(plan, options)
  for (const scenario of scenarios) await expectUndone(target, scenario, snapshot)
  return { scenarios: scenarios.length, withoutUndo }
}
