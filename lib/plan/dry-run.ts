import 'server-only'
import { inPreview, runAsPreview } from '@/lib/core/preview-scope'
import { NothingToPreview } from '@/lib/core/errors'
import type { Plan } from '@/lib/plan/plan'

/*
 * A dry run is the plan without the run. The domain code that builds and executes a plan is not written twice for
 * it: the operation runs as usual inside `previewOf`, reads the host, validates, builds its plan, and the executor
 * stops it right there by throwing the plan back instead of running it. Everything an operation changes comes after
 * its executePlan (the rule of this code base), so nothing on the host or in the database changes. The database client
 * enforces the second half: it refuses every write while a preview runs (lib/db/client.ts).
 */

export class PlanPreview extends Error {
  constructor(readonly plan: Plan) {
    super(`Preview of "${plan.title}"`)
  }
}

/** Called by the executor (and by anything that would start one in the background) before it changes anything. */
export function stopIfPreviewing(plan: Plan): void {
  if (inPreview()) throw new PlanPreview(plan)
}

/** The plan `work` would run; input errors and host-read failures are thrown as they would be for the real thing. */
export async function previewOf(work: () => Promise<unknown>): Promise<Plan> {
  try {
    await runAsPreview(work)
  } catch (error) {
    if (error instanceof PlanPreview) return error.plan
    throw error
  }
  throw new NothingToPreview('it changes nothing on a host, so there is no plan to show')
}
