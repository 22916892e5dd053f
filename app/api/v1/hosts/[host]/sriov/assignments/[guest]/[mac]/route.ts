import { apiRoute } from '@/lib/api/route'
import { actionAnswer } from '@/lib/api/submit'
import { hostOrProblem } from '@/lib/api/hosts'
import { releaseAction } from '@/app/(dashboard)/hosts/[hostId]/sriov/actions'

/** Releases the guest's VF interface with this MAC. */
export const DELETE = apiRoute<{ host: string; guest: string; mac: string }>(async ({ params, dryRun }) => {
  const found = await hostOrProblem(params.host)
  if ('problem' in found) return found.problem
  const fields = { hostId: found.hostId, guest: params.guest, mac: decodeURIComponent(params.mac) }
  return actionAnswer(releaseAction, fields, dryRun)
})
