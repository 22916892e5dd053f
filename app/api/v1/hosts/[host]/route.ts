import { apiRoute } from '@/lib/api/route'
import { actionAnswer } from '@/lib/api/submit'
import { hostOrProblem } from '@/lib/api/hosts'
import { removeHostAction } from '@/app/(dashboard)/hosts/actions'

/** Removing a host asks for its name again, as the form does (confirmName). */
export const DELETE = apiRoute<{ host: string }>(async ({ params, body, dryRun }) => {
  const found = await hostOrProblem(params.host)
  if ('problem' in found) return found.problem
  return actionAnswer(removeHostAction, { ...body, hostId: found.hostId }, dryRun)
})
