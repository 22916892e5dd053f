import 'server-only'
import { db } from '@/lib/db/client'
import { authorize } from '@/lib/auth/authorize'
import type { SessionUser } from '@/lib/auth/session'
import { FieldErrors, OperatorError } from '@/lib/core/errors'
import type { PortForward } from '@/lib/db/generated/client'
import { toTarget, type HostRow } from '@/lib/hosts/store'
import { readForwardableNics, type ForwardableNic } from '@/lib/forwards/read'
import { addForward, removeForward, setGuestForwards, type GuestForwardsReport } from '@/lib/forwards/changes'
import type { SelfServiceAddInput, SetMyGuestForwardsInput } from '@/lib/forwards/schemas'

// Self-service in one file: what a self-service user reads (selfServicePageData), the checks that a guest or a
// forward is theirs (requireOwnGuest, requireOwnForward: runAction's host option), and the changes they may make
// (addOwnForward, removeOwnForward), each limited to their own guests and forwards.

/** What a self-service user sees: only the guests assigned to them, their own forwards, and their limits. */
export async function selfServicePageData() {
  const user = await authorize('selfService')
  const [limits, grants, forwards] = await Promise.all([
    db.selfServiceLimit.findUnique({ where: { userId: user.id } }),
    db.selfServiceGuest.findMany({
      where: { userId: user.id },
      include: { host: true },
      orderBy: { guestName: 'asc' },
    }),
    db.portForward.findMany({ where: { ownerId: user.id }, orderBy: { hostPortStart: 'asc' } }),
  ])
  const hosts = [...new Map(grants.map((g) => [g.hostId, g.host])).values()]
  const nics: Array<ForwardableNic & { hostId: string; hostName: string }> = []
  const errors: string[] = []
  await Promise.all(
    hosts.map(async (host) => {
      if (!host.pinnedFingerprint) return
      try {
        const mine = new Set(grants.filter((g) => g.hostId === host.id).map((g) => g.guestUuid))
        const read = await readForwardableNics(toTarget(host))
        nics.push(
          ...read.nics
            .filter((n) => mine.has(n.guestUuid))
            .map((n) => ({ ...n, hostId: host.id, hostName: host.name })),
        )
      } catch (error) {
        errors.push(`${host.name}: ${error instanceof Error ? error.message : String(error)}`)
      }
    }),
  )
  return { user, limits, grants, forwards, nics, errors }
}

/** For self-service actions: the host, if (and only if) this guest on it is assigned to the user. */
export async function requireOwnGuest(user: SessionUser, guestUuid: string): Promise<HostRow> {
  const grant = await db.selfServiceGuest.findFirst({ where: { userId: user.id, guestUuid }, include: { host: true } })
  if (!grant) throw new FieldErrors({ guest: ['That guest is not assigned to you.'] })
  if (!grant.host.pinnedFingerprint)
    throw new OperatorError(`${grant.host.name} is not ready yet; ask an administrator.`)
  return grant.host
}

/** For self-service removal: the host of one of the user's own forwards. */
export async function requireOwnForward(user: SessionUser, forwardId: string): Promise<HostRow> {
  const forward = await db.portForward.findFirst({
    where: { id: forwardId, ownerId: user.id },
    include: { host: true },
  })
  if (!forward) throw new OperatorError('That forward is not yours or no longer exists.')
  return forward.host
}

/**
 * Adds a forward to the user's own guest (`host` from requireOwnGuest) within their port limits; it listens on
 * every host address and never creates a DHCP mapping (the guest needs a fixed address already).
 */
export async function addOwnForward(
  user: SessionUser,
  host: HostRow,
  input: SelfServiceAddInput,
): Promise<PortForward> {
  const limits = await db.selfServiceLimit.findUnique({ where: { userId: user.id } })
  return addForward(
    host,
    toTarget(host),
    { ...input, hostAddress: null, createMapping: false },
    { id: user.id, username: user.username },
    { selfService: { limits } },
  )
}

/** Removes one of the user's own forwards (`host` from requireOwnForward). */
export async function removeOwnForward(user: SessionUser, host: HostRow, forwardId: string): Promise<PortForward> {
  return removeForward(host, toTarget(host), forwardId, user.id)
}

/**
 * Makes the user's own forwards of their guest (`host` from requireOwnGuest) exactly `input.forwards`, within their
 * limits; other users' forwards of the guest stay. As addOwnForward: every host address, never a new DHCP mapping.
 */
export async function setOwnGuestForwards(
  user: SessionUser,
  host: HostRow,
  input: SetMyGuestForwardsInput,
): Promise<GuestForwardsReport> {
  const limits = await db.selfServiceLimit.findUnique({ where: { userId: user.id } })
  return setGuestForwards(
    host,
    toTarget(host),
    input.guest,
    input.forwards.map((item) => ({ ...item, hostAddress: null, createMapping: false })),
    { id: user.id, username: user.username },
    { selfService: { limits } },
  )
}
