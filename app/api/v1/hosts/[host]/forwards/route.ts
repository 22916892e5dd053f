import { apiRoute } from '@/lib/api/route'
import { json } from '@/lib/api/json'
import { problem } from '@/lib/api/problem'
import { answerOf, submitAction } from '@/lib/api/submit'
import { hostOrProblem } from '@/lib/api/hosts'
import { guestNicOf, listForwards } from '@/lib/forwards/read'
import { addForwardAction } from '@/app/(dashboard)/hosts/[hostId]/forwards/actions'

export const GET = apiRoute<{ host: string }>(async ({ params }) => {
  const found = await hostOrProblem(params.host)
  if ('problem' in found) return found.problem
  const forwards = await listForwards(found.hostId)
  return forwards ? json(forwards) : problem('not-found', `There is no host ${params.host}.`)
})

/**
 * Adds a forward: the form's fields (guest, family, protocol, hostPort, guestPort, sourceCidrs, description,
 * hostAddress, createMapping); `guest` may name the guest ("web1", or "web1/network") instead of the form's "UUID/network".
 */
export const POST = apiRoute<{ host: string }>(async ({ params, body, dryRun }) => {
  const found = await hostOrProblem(params.host)
  if ('problem' in found) return found.problem
  const guest = typeof body.guest === 'string' ? await guestNicOf(found.hostId, body.guest) : body.guest
  if (guest === null)
    return problem('invalid', 'Please correct the highlighted fields.', {
      errors: { guest: [`${params.host} has no guest ${String(body.guest)} on a running NAT network.`] },
    })
  const state = await submitAction(addForwardAction, { ...body, guest, hostId: found.hostId }, dryRun)
  if (state.status !== 'success') return answerOf(state)
  const forwards = (await listForwards(found.hostId)) ?? []
  const port = Number(String(body.hostPort).split(/[-:]/)[0])
  const family = body.family === 'ipv6' ? 'ipv6' : 'ipv4'
  const forward = forwards.find((f) => f.protocol === body.protocol && f.hostPortStart === port && f.family === family)
  return answerOf(state, { forward })
})
