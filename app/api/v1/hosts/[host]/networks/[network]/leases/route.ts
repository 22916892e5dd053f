import { apiRoute } from '@/lib/api/route'
import { hostOrProblem, tabAnswer } from '@/lib/api/hosts'
import { dhcpPageData } from '@/lib/dhcp/read'

/** The network's DHCP leases, each with the guest that owns the MAC and whether a mapping pins it. */
export const GET = apiRoute<{ host: string; network: string }>(async ({ params }) => {
  const found = await hostOrProblem(params.host)
  if ('problem' in found) return found.problem
  return tabAnswer(await dhcpPageData(found.hostId, params.network), ({ leases }) => leases)
})
