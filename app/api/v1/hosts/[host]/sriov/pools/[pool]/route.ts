import { apiRoute } from '@/lib/api/route'
import { actionAnswer } from '@/lib/api/submit'
import { hostOrProblem } from '@/lib/api/hosts'
import { deletePoolAction } from '@/app/(dashboard)/hosts/[hostId]/sriov/actions'

/** Deletes a hostdev pool (the action refuses one guests still use). */
export const DELETE = apiRoute<{ host: string; pool: string }>(async ({ params, dryRun }) => {
  const found = await hostOrProblem(params.host)
  if ('problem' in found) return found.problem
  return actionAnswer(deletePoolAction, { hostId: found.hostId, name: params.pool }, dryRun)
})
