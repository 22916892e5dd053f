import { apiRoute } from '@/lib/api/route'
import { actionAnswer } from '@/lib/api/submit'
import { hostOrProblem, tabAnswer } from '@/lib/api/hosts'
import { networksPageData } from '@/lib/networks/read'
import { createNetworkAction } from '@/app/(dashboard)/hosts/[hostId]/networks/actions'

export const GET = apiRoute<{ host: string }>(async ({ params }) => {
  const found = await hostOrProblem(params.host)
  if ('problem' in found) return found.problem
  return tabAnswer(await networksPageData(found.hostId), ({ networks }) => networks)
})

export const POST = apiRoute<{ host: string }>(async ({ params, body, dryRun }) => {
  const found = await hostOrProblem(params.host)
  if ('problem' in found) return found.problem
  return actionAnswer(createNetworkAction, { ...body, hostId: found.hostId }, dryRun)
})
