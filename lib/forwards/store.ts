import 'server-only'
import { db } from '@/lib/db/client'
import { authorize } from '@/lib/auth/authorize'
import { getHost, toTarget } from '@/lib/hosts/store'
import { desiredRules } from '@/lib/forwards/rules'
import { computeDrift, type Drift } from '@/lib/forwards/drift'
import {
  readForwardableNics,
  readHookStatus,
  readIptables,
  type ForwardableNic,
  type HookStatus,
} from '@/lib/forwards/host-view'
import { firewallBackend, toRuleInput } from '@/lib/forwards/operations'

export type ForwardsPageData = {
  host: NonNullable<Awaited<ReturnType<typeof getHost>>>
  forwards: Awaited<ReturnType<typeof db.portForward.findMany>>
  nics: ForwardableNic[]
  backend: 'iptables' | 'nftables' | 'unknown'
  hook: HookStatus | null
  drift: Drift | null
  error: string | null
}

/** The host's forward table from the database and, from the host, its guests, hook and drift. */
export async function forwardsPageData(hostId: string): Promise<ForwardsPageData | null> {
  await authorize('viewHosts')
  const host = await getHost(hostId)
  if (!host) return null
  const forwards = await db.portForward.findMany({
    where: { hostId },
    orderBy: [{ protocol: 'asc' }, { hostPortStart: 'asc' }],
  })
  const base = { host, forwards, nics: [], backend: 'unknown' as const, hook: null, drift: null }
  if (!host.pinnedFingerprint) return { ...base, error: 'Confirm the host key first.' }
  const target = toTarget(host)
  try {
    const [{ nics }, backend, hook, iptables] = await Promise.all([
      readForwardableNics(target),
      firewallBackend(host, target),
      readHookStatus(target),
      readIptables(target),
    ])
    const running = new Set(nics.filter((n) => n.running).map((n) => n.guestUuid))
    const desired = desiredRules(forwards.map(toRuleInput), running)
    return { ...base, nics, backend, hook, drift: computeDrift(desired, iptables, desired.length > 0), error: null }
  } catch (error) {
    return { ...base, error: error instanceof Error ? error.message : String(error) }
  }
}
