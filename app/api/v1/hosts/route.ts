import { apiRoute } from '@/lib/api/route'
import { json } from '@/lib/api/json'
import { actionAnswer } from '@/lib/api/submit'
import { listHosts } from '@/lib/hosts/read'
import { addHostAction } from '@/app/(dashboard)/hosts/actions'

export const GET = apiRoute(async () => {
  const hosts = await listHosts()
  return json(
    hosts.map((h) => ({
      id: h.id,
      name: h.name,
      address: h.address,
      port: h.port,
      username: h.username,
      keyConfirmed: h.pinnedFingerprint !== null,
      healthCheckedAt: h.healthCheckedAt,
    })),
  )
})

export const POST = apiRoute(async ({ body, dryRun }) => actionAnswer(addHostAction, body, dryRun))
