import { apiRoute } from '@/lib/api/route'
import { hostOrProblem, tabAnswer } from '@/lib/api/hosts'
import { guestsPageData } from '@/lib/guests/read'

/** The host's guests with their interfaces. */
export const GET = apiRoute<{ host: string }>(async ({ params }) => {
  const found = await hostOrProblem(params.host)
  if ('problem' in found) return found.problem
  return tabAnswer(await guestsPageData(found.hostId), ({ guests }) => guests)
})
