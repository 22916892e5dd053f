import { apiRoute } from '@/lib/api/route'
import { actionAnswer } from '@/lib/api/submit'
import { hostOrProblem } from '@/lib/api/hosts'
import { createPoolAction } from '@/app/(dashboard)/hosts/[hostId]/sriov/actions'

/** Defines a hostdev pool over a physical function: {name, pf, autostart?}. */
export const POST = apiRoute<{ host: string }>(async ({ params, body, dryRun }) => {
  const found = await hostOrProblem(params.host)
  if ('problem' in found) return found.problem
  return actionAnswer(createPoolAction, { ...body, hostId: found.hostId }, dryRun)
})
