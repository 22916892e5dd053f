import { apiRoute } from '@/lib/api/route'
import { actionAnswer } from '@/lib/api/submit'
import { hostOrProblem } from '@/lib/api/hosts'
import { attachInterfaceAction } from '@/app/(dashboard)/hosts/[hostId]/guests/actions'

type Params = { host: string; guest: string }

/** Attaches an interface to the guest: {type: "network"|"bridge", source, model?, mac?}, as the Guests tab does. */
export const POST = apiRoute<Params>(async ({ params, body, dryRun }) => {
  const found = await hostOrProblem(params.host)
  if ('problem' in found) return found.problem
  return actionAnswer(attachInterfaceAction, { ...body, hostId: found.hostId, guest: params.guest }, dryRun)
})
