import 'server-only'
import { authorize } from '@/lib/auth/authorize'
import { journalPhases } from '@/lib/core/phases'
import { getHost, requireConnectableHost, toTarget, type HostRow } from '@/lib/hosts/store'
import type { HostTarget } from '@/lib/ssh'

/** What a host tab's loader gets: the host, what was read from it (null when it could not be), and why not in words. */
export type HostTabRead<T> = { host: HostRow; live: T | null; error: string | null }

/**
 * The preamble every host tab's loader shares: authorize viewing, find the host (null when there is none, so the
 * page can answer 404), read from it only once its key is confirmed, and turn a failed read into the message the
 * page shows instead of an error page. The benchmark reads each tab's phases from here (journalPhases).
 */
export async function readHostTab<T>(
  hostId: string,
  read: (target: HostTarget, host: HostRow) => Promise<T>,
): Promise<HostTabRead<T> | null> {
  await authorize('viewHosts')
  return journalPhases('host-tab', () => readHostTabNow(hostId, read))
}

async function readHostTabNow<T>(
  hostId: string,
  read: (target: HostTarget, host: HostRow) => Promise<T>,
): Promise<HostTabRead<T> | null> {
  const host = await getHost(hostId)
  if (!host) return null
  if (!host.pinnedFingerprint) return { host, live: null, error: 'Confirm the host key first.' }
  try {
    return { host, live: await read(toTarget(host), host), error: null }
  } catch (error) {
    return { host, live: null, error: error instanceof Error ? error.message : String(error) }
  }
}

/** For runAction's `host` option: the host the submitted form names, refused unless its key is confirmed. */
export async function connectableHostOf({ hostId }: { hostId: string }): Promise<HostRow> {
  return (await requireConnectableHost(hostId)).row
}
