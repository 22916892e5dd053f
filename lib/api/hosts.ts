import 'server-only'
import { problem } from '@/lib/api/problem'
import { json } from '@/lib/api/json'
import { db } from '@/lib/db/client'
import { authorize } from '@/lib/auth/authorize'

/**
 * The id of the host a path names, by id or by name (the command line says `--host kvm-01`); null when there is none.
 * Whatever then reads or changes the host authorizes the request again, for its own permission.
 */
export async function hostIdOf(ref: string): Promise<string | null> {
  // Every route that names a host reads or changes it, which viewHosts covers; none tells a stranger what exists.
  await authorize('viewHosts')
  const host = await db.host.findFirst({ where: { OR: [{ id: ref }, { name: ref }] }, select: { id: true } })
  return host?.id ?? null
}

/** The host's id, or the 404 problem to answer; for route handlers whose path names a host. */
export async function hostOrProblem(ref: string): Promise<{ hostId: string } | { problem: Response }> {
  await authorize('viewHosts')
  const hostId = await hostIdOf(ref)
  return hostId ? { hostId } : { problem: problem('not-found', `There is no host ${ref}.`) }
}

/** A loader's answer: 404 when it found no host, otherwise the live part or the reason the host could not be read. */
export function tabAnswer<T>(
  tab: { live: T | null; error: string | null } | null,
  shape: (live: T) => unknown,
): Response {
  if (!tab) return problem('not-found', 'There is no such host.')
  if (!tab.live) return problem('failed', tab.error ?? 'The host could not be read.')
  return json(shape(tab.live))
}
