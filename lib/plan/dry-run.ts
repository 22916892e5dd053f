import 'server-only'
import { AsyncLocalStorage } from 'node:async_hooks'
import type { Plan } from '@/lib/plan/plan'

/*
 * A dry run is the plan without the run. The domain code that builds and executes a plan is not written twice for
 * it: the operation runs as usual inside `previewOf`, reads the host, validates, builds its plan, and the executor
 * stops it right there by throwing the plan back instead of running it. Everything an operation changes comes after
 * its executePlan (the rule of this code base), so nothing on the host or in the database changes.
 */

const previewing = new AsyncLocalStorage<true>()

export class PlanPreview extends Error {
  constructor(readonly plan: Plan) {
    super(`Preview of "${plan.title}"`)
  }
}

/** Called by the executor (and by anything that would start one in the background) before it changes anything. */
export function stopIfPreviewing(plan: Plan): void {
  if (previewing.getStore()) throw new PlanPreview(plan)
}

/** The plan `work` would run; input errors and host-read failures are thrown as they would be for the real thing. */
export async function previewOf(work: () => Promise<unknown>): Promise<Plan> {
  try {
    await previewing.run(true, work)
  } catch (error) {
    if (error instanceof PlanPreview) return error.plan
    throw error
  }
  throw new Error('the operation finished without reaching a plan, so it cannot be previewed')
}
