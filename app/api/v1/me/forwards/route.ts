import { apiRoute } from '@/lib/api/route'
import { json } from '@/lib/api/json'
import { answerOf, submitAction } from '@/lib/api/submit'
import { selfServicePageData } from '@/lib/forwards/selfservice'
import { addMyForwardAction } from '@/app/(dashboard)/my/actions'

/** A self-service user's own forwards, guests and limits. */
export const GET = apiRoute(async () => {
  const { limits, grants, forwards } = await selfServicePageData()
  return json({
    limits,
    guests: grants.map((g) => ({ name: g.guestName, uuid: g.guestUuid, host: g.host.name })),
    forwards,
  })
})

/** Adds a forward to one of the user's guests; `guest` is "UUID/network" or the guest's name. */
export const POST = apiRoute(async ({ body, dryRun }) => {
  let guest = body.guest
  if (typeof guest === 'string' && !/^[0-9a-f-]{36}\//.test(guest)) {
    const [name, network] = guest.split('/')
    const { nics } = await selfServicePageData()
    const nic = nics.find((n) => n.guestName === name && (!network || n.network === network))
    guest = nic ? `${nic.guestUuid}/${nic.network}` : guest
  }
  const state = await submitAction(addMyForwardAction, { ...body, guest }, dryRun)
  return answerOf(state)
})
