import { apiRoute } from '@/lib/api/route'
import { actionAnswer } from '@/lib/api/submit'
import { hostOrProblem } from '@/lib/api/hosts'
import { currentSettingsFields } from '@/lib/api/guest-interfaces'
import {
  changeNetworkAction,
  detachInterfaceAction,
  interfaceSettingsAction,
} from '@/app/(dashboard)/hosts/[hostId]/guests/actions'

type Params = { host: string; guest: string; mac: string }

const nicOf = (params: Params, hostId: string) => ({ hostId, guest: params.guest, mac: decodeURIComponent(params.mac) })

/**
 * Changes one interface as the Guests tab does: {"network": …} alone moves it to another network; otherwise the
 * body holds settings form fields (link "up"|"down", model, portgroup, filter, filterParameters, inbound/outbound
 * Average/Peak/Burst): those it leaves out keep their current value, "" clears one.
 */
export const PATCH = apiRoute<Params>(async ({ params, body, dryRun }) => {
  const found = await hostOrProblem(params.host)
  if ('problem' in found) return found.problem
  const nic = nicOf(params, found.hostId)
  const movesOnly = Object.keys(body).length === 1 && 'network' in body
  return movesOnly
    ? actionAnswer(changeNetworkAction, { ...body, ...nic }, dryRun)
    : actionAnswer(
        interfaceSettingsAction,
        { ...(await currentSettingsFields(found.hostId, nic.guest, nic.mac)), ...body, ...nic },
        dryRun,
      )
})

/** Detaches the interface (live and from the saved configuration). */
export const DELETE = apiRoute<Params>(async ({ params, dryRun }) => {
  const found = await hostOrProblem(params.host)
  if ('problem' in found) return found.problem
  return actionAnswer(detachInterfaceAction, nicOf(params, found.hostId), dryRun)
})
