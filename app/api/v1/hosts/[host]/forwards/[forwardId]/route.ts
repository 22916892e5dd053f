import { apiRoute } from '@/lib/api/route'
import { actionAnswer } from '@/lib/api/submit'
import { hostOrProblem } from '@/lib/api/hosts'
import { removeForwardAction } from '@/app/(dashboard)/hosts/[hostId]/forwards/actions'

export const DELETE = apiRoute<{ host: string; forwardId: string }>(async ({ params, dryRun }) => {
  const found = await hostOrProblem(params.host)
  if ('problem' in found) return found.problem
  return actionAnswer(removeForwardAction, { hostId: found.hostId, forwardId: params.forwardId }, dryRun)
})
