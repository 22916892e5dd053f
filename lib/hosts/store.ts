import 'server-only'
import { db } from '@/lib/db/client'
import { authorize } from '@/lib/auth/authorize'
import { OperatorError } from '@/lib/core/errors'
import type { HostTarget } from '@/lib/ssh'
import type { HostHealth } from '@/lib/hosts/health-types'

// A host's row: finding it (getHost for pages, requireHost and requireConnectableHost for actions) and what it holds
// (toTarget, healthOf). Every capability looks its host up here.

export type HostRow = Awaited<ReturnType<typeof db.host.findMany>>[number]

export function toTarget(host: HostRow): HostTarget {
  return {
    id: host.id,
    name: host.name,
    address: host.address,
    port: host.port,
    username: host.username,
    useSudo: host.useSudo,
    pinnedFingerprint: host.pinnedFingerprint,
  }
}

export function healthOf(host: HostRow): HostHealth | null {
  if (!host.health) return null
  try {
    return JSON.parse(host.health) as HostHealth
  } catch {
    return null
  }
}

export async function getHost(hostId: string) {
  await authorize('viewHosts')
  return db.host.findUnique({ where: { id: hostId } })
}

/** For actions: the host row, or an operator-readable refusal. Callers have already authorized. */
export async function requireHost(hostId: string): Promise<HostRow> {
  const host = await db.host.findUnique({ where: { id: hostId } })
  if (!host) throw new OperatorError('That host does not exist (it may have been removed).')
  return host
}

/** For actions that run commands: refuses hosts whose key nobody has confirmed yet. */
export async function requireConnectableHost(hostId: string): Promise<{ row: HostRow; target: HostTarget }> {
  const row = await requireHost(hostId)
  if (!row.pinnedFingerprint)
    throw new OperatorError(`Confirm the host key of ${row.name} on its page before running anything on it.`)
  return { row, target: toTarget(row) }
}
