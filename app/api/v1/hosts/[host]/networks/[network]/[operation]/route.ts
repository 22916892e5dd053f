import { apiRoute } from '@/lib/api/route'
import { actionAnswer } from '@/lib/api/submit'
import { problem } from '@/lib/api/problem'
import { hostOrProblem } from '@/lib/api/hosts'
import {
  autostartNetworkAction,
  startNetworkAction,
  stopNetworkAction,
} from '@/app/(dashboard)/hosts/[hostId]/networks/actions'

type Params = { host: string; network: string; operation: string }

const operations = { start: startNetworkAction, stop: stopNetworkAction, autostart: autostartNetworkAction } as const

/** POST …/start, …/stop, …/autostart ({"enabled": true|false}). */
export const POST = apiRoute<Params>(async ({ params, body, dryRun }) => {
  const action = operations[params.operation as keyof typeof operations]
  if (!Object.hasOwn(operations, params.operation) || !action)
    return problem('not-found', 'Networks have the operations start, stop and autostart.')
  const found = await hostOrProblem(params.host)
  if ('problem' in found) return found.problem
  return actionAnswer(action, { ...body, hostId: found.hostId, name: params.network }, dryRun)
})
