import { apiRoute } from '@/lib/api/route'
import { actionAnswer } from '@/lib/api/submit'
import { hostOrProblem } from '@/lib/api/hosts'
import { assignAction } from '@/app/(dashboard)/hosts/[hostId]/sriov/actions'

/** Gives a guest a VF: {guest, target: "pool:NAME"|"vf:PCI", mac?, vlan?, profileid?}. */
export const POST = apiRoute<{ host: string }>(async ({ params, body, dryRun }) => {
  const found = await hostOrProblem(params.host)
  if ('problem' in found) return found.problem
  return actionAnswer(assignAction, { ...body, hostId: found.hostId }, dryRun)
})
