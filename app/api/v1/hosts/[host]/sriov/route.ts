import { apiRoute } from '@/lib/api/route'
import { hostOrProblem, tabAnswer } from '@/lib/api/hosts'
import { sriovPageData } from '@/lib/sriov/read'

/** Physical functions and their VFs, hostdev pools, and the guests holding VFs. */
export const GET = apiRoute<{ host: string }>(async ({ params }) => {
  const found = await hostOrProblem(params.host)
  if ('problem' in found) return found.problem
  return tabAnswer(await sriovPageData(found.hostId), (inventory) => inventory)
})
