import { apiRoute } from '@/lib/api/route'
import { actionAnswer } from '@/lib/api/submit'
import { selfServicePageData } from '@/lib/forwards/selfservice'
import { setMyGuestForwardsAction } from '@/app/(dashboard)/my/actions'

/**
 * The declarative path for a self-service user: {"forwards": [{protocol, hostPort, guestPort, network?, sourceCidrs?,
 * description?}, …]} IS their whole list of forwards of one of their guests (its UUID or its name), within their
 * limits; other users' forwards of the guest stay. `detail` reports added, removed, unchanged.
 */
export const PUT = apiRoute<{ guest: string }>(async ({ params, body, dryRun }) => {
  let guest = params.guest
  if (!/^[0-9a-f-]{36}$/.test(guest)) {
    // A name is looked up among the user's own guests only; the action refuses any guest that is not theirs.
    const { grants } = await selfServicePageData()
    guest = grants.find((g) => g.guestName === guest)?.guestUuid ?? guest
  }
  const forwards = JSON.stringify(body.forwards ?? null)
  return actionAnswer(setMyGuestForwardsAction, { guest, forwards }, dryRun)
})
