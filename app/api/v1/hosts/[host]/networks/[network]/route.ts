import { apiRoute } from '@/lib/api/route'
import { actionAnswer } from '@/lib/api/submit'
import { problem } from '@/lib/api/problem'
import { hostOrProblem, tabAnswer } from '@/lib/api/hosts'
import { networkEditPageData } from '@/lib/network-edit/read'
import { applyEditAction } from '@/app/(dashboard)/hosts/[hostId]/networks/[network]/edit/actions'

type Params = { host: string; network: string }

/** The network, the definition an edit starts from and its version (an edit sends it back as `base`). */
export const GET = apiRoute<Params>(async ({ params }) => {
  const found = await hostOrProblem(params.host)
  if ('problem' in found) return found.problem
  const tab = await networkEditPageData(found.hostId, params.network)
  if (tab?.live && !tab.live.network) return problem('not-found', `There is no network ${params.network}.`)
  return tabAnswer(tab, ({ network, xml, version }) => ({ network, xml, version }))
})

/** Edits the definition: the XML editor's action (xml, version of the definition it was made on). */
export const PUT = apiRoute<Params>(async ({ params, body, dryRun }) => {
  const found = await hostOrProblem(params.host)
  if ('problem' in found) return found.problem
  return actionAnswer(applyEditAction, { ...body, hostId: found.hostId, name: params.network }, dryRun)
})
