import { apiRoute } from '@/lib/api/route'
import { actionAnswer } from '@/lib/api/submit'
import { hostOrProblem, tabAnswer } from '@/lib/api/hosts'
import { dhcpPageData } from '@/lib/dhcp/read'
import {
  deleteMappingAction,
  importCsvAction,
  replaceTableAction,
  saveMappingAction,
} from '@/app/(dashboard)/hosts/[hostId]/networks/[network]/dhcp/actions'

type Params = { host: string; network: string }

/** The static mappings Virtnet keeps, each with what the host lacks of it, and the host's entries it does not keep. */
export const GET = apiRoute<Params>(async ({ params }) => {
  const found = await hostOrProblem(params.host)
  if ('problem' in found) return found.problem
  const tab = await dhcpPageData(found.hostId, params.network)
  return tabAnswer(tab, ({ mappings, drift }) => ({ mappings, drift }))
})

/** One mapping (mac or id, ip, name), applied live. */
export const POST = apiRoute<Params>(async ({ params, body, dryRun }) => {
  const found = await hostOrProblem(params.host)
  if ('problem' in found) return found.problem
  return actionAnswer(saveMappingAction, { ...body, hostId: found.hostId, network: params.network }, dryRun)
})

/** The bulk path: {"csv": "mac,ip,name\n…"} adds and changes mappings as one job (202, its URL; the job reports). */
export const PATCH = apiRoute<Params>(async ({ params, body, dryRun }) => {
  const found = await hostOrProblem(params.host)
  if ('problem' in found) return found.problem
  return actionAnswer(importCsvAction, { ...body, hostId: found.hostId, network: params.network }, dryRun)
})

/** Removes one mapping: {"key": …} as the listing names it. */
export const DELETE = apiRoute<Params>(async ({ params, body, dryRun }) => {
  const found = await hostOrProblem(params.host)
  if ('problem' in found) return found.problem
  return actionAnswer(deleteMappingAction, { ...body, hostId: found.hostId, network: params.network }, dryRun)
})

/**
 * The declarative path: {"csv": "…"} IS the network's whole static table. What it does not name is removed (from the
 * table and from the host), the rest added or changed through the bulk path as one job (202, its URL); the answer's
 * `detail` reports what is added, changed, removed and unchanged. A table that already matches answers 200.
 */
export const PUT = apiRoute<Params>(async ({ params, body, dryRun }) => {
  const found = await hostOrProblem(params.host)
  if ('problem' in found) return found.problem
  return actionAnswer(replaceTableAction, { ...body, hostId: found.hostId, network: params.network }, dryRun)
})
