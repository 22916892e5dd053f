import { apiRoute } from '@/lib/api/route'
import { actionAnswer } from '@/lib/api/submit'
import { problem } from '@/lib/api/problem'
import { hostOrProblem } from '@/lib/api/hosts'
import { guestNicOf } from '@/lib/forwards/read'
import { setGuestForwardsAction } from '@/app/(dashboard)/hosts/[hostId]/forwards/actions'

type Params = { host: string; guest: string }

const uuidPattern = /^[0-9a-f-]{36}$/

/**
 * The declarative path: {"forwards": [{protocol, hostPort, guestPort, network?, sourceCidrs?, description?,
 * hostAddress?, createMapping?}, …]} IS the guest's whole forward list (the guest: its UUID or its name). What the
 * list does not have is removed, what is new is added, in one new table; `detail` reports added, removed, unchanged.
 */
export const PUT = apiRoute<Params>(async ({ params, body, dryRun }) => {
  const found = await hostOrProblem(params.host)
  if ('problem' in found) return found.problem
  const nic = uuidPattern.test(params.guest) ? params.guest : await guestNicOf(found.hostId, params.guest)
  if (nic === null)
    return problem('invalid', 'Please correct the highlighted fields.', {
      errors: { guest: [`${params.host} has no guest ${params.guest} on a running NAT network.`] },
    })
  const guest = nic.split('/')[0]
  const forwards = JSON.stringify(body.forwards ?? null)
  return actionAnswer(setGuestForwardsAction, { hostId: found.hostId, guest, forwards }, dryRun)
})
