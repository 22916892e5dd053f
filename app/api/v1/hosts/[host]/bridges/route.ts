import { apiRoute } from '@/lib/api/route'
import { hostOrProblem, tabAnswer } from '@/lib/api/hosts'
import { bridgesPageData } from '@/lib/bridges/read'

/** Bridges, NICs, networks and guests of the host. */
export const GET = apiRoute<{ host: string }>(async ({ params }) => {
  const found = await hostOrProblem(params.host)
  if ('problem' in found) return found.problem
  return tabAnswer(await bridgesPageData(found.hostId), (live) => live)
})
