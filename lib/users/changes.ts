import 'server-only'
import { db } from '@/lib/db/client'
import { randomBytes } from 'node:crypto'
import { createUser, setDisabled, setPassword, setRole } from '@/lib/auth/users'
import { roleLabels, type Role } from '@/lib/auth/roles'
import { lastAdminRefusal } from '@/lib/users/admin-guard'
import { FieldErrors, OperatorError } from '@/lib/core/errors'
import { run, type HostTarget } from '@/lib/ssh'
import { isGuestUuid } from '@/lib/addresses/value-rules'
import { virsh } from '@/lib/libvirt/virsh'
import { requireConnectableHost } from '@/lib/hosts/store'

// What an admin changes on the users page: accounts, self-service limits and guest assignments. What the page reads
// is in read.ts.

export async function createUserWithRole(username: string, role: Role, password: string) {
  if (await db.user.findUnique({ where: { username } }))
    throw new FieldErrors({ username: ['That user name is taken.'] })
  // createUser refuses a bad name, role or password field by field; any other error is not the user name's fault.
  return createUser(username, role, password)
}

async function requireSelfServiceUser(userId: string) {
  const user = await db.user.findUnique({ where: { id: userId } })
  if (!user) throw new OperatorError('That user does not exist.')
  if (user.role !== 'selfservice') throw new FieldErrors({ userId: [`${user.username} is not a self-service user.`] })
  return user
}

export async function setSelfServiceLimits(
  userId: string,
  limits: { portMin: number; portMax: number; maxForwards: number },
) {
  const user = await requireSelfServiceUser(userId)
  await db.selfServiceLimit.upsert({ where: { userId }, create: { userId, ...limits }, update: limits })
  return user
}

/**
 * Assigns a guest typed by name or UUID. The guest is resolved on the host both ways (domuuid, then domname of that
 * UUID) and kept by UUID with its current name, so a renamed guest stays assigned and the page shows its name. The
 * schema has refused a number, which virsh would read as a domain id.
 */
export async function assignGuest(userId: string, hostId: string, typed: string) {
  const user = await requireSelfServiceUser(userId)
  const { row, target } = await requireConnectableHost(hostId)
  const { uuid, name } = await resolveGuest(target, typed, row.name)
  await db.selfServiceGuest.upsert({
    where: { userId_hostId_guestUuid: { userId, hostId, guestUuid: uuid } },
    create: { userId, hostId, guestUuid: uuid, guestName: name },
    update: { guestName: name },
  })
  return { user, host: row, uuid, name }
}

async function resolveGuest(target: HostTarget, typed: string, hostName: string) {
  const missing = () => new FieldErrors({ guestName: [`${hostName} has no guest named ${typed}.`] })
  const byUuid = isGuestUuid(typed)
  const uuidResult = byUuid ? null : await run(target, virsh('domuuid', '--domain', typed), { allowFailure: true })
  const uuid = byUuid ? typed.toLowerCase() : (uuidResult?.stdout.trim() ?? '')
  if ((uuidResult && uuidResult.exitCode !== 0) || !isGuestUuid(uuid)) throw missing()
  const nameResult = await run(target, virsh('domname', '--domain', uuid), { allowFailure: true })
  const name = nameResult.stdout.trim()
  if (nameResult.exitCode !== 0 || !name) throw missing()
  // virsh also takes an id for --domain: only the guest actually so named (or so identified) is the one meant.
  if (!byUuid && name !== typed) throw missing()
  return { uuid: byUuid ? ((await canonicalUuid(target, uuid)) ?? uuid) : uuid, name }
}

/** The UUID as libvirt prints it (a typed one may lack dashes or differ in case). */
async function canonicalUuid(target: HostTarget, uuid: string): Promise<string | null> {
  const result = await run(target, virsh('domuuid', '--domain', uuid), { allowFailure: true })
  const printed = result.stdout.trim()
  return result.exitCode === 0 && isGuestUuid(printed) ? printed : null
}

export async function unassignGuest(grantId: string) {
  const grant = await db.selfServiceGuest.findUnique({ where: { id: grantId }, include: { user: true } })
  if (!grant) throw new OperatorError('That assignment no longer exists.')
  await db.selfServiceGuest.delete({ where: { id: grantId } })
  return grant
}

async function requireUser(userId: string) {
  const user = await db.user.findUnique({ where: { id: userId } })
  if (!user) throw new OperatorError('That user does not exist.')
  return user
}

/** Refuses a change that would leave no enabled administrator (lib/users/admin-guard.ts). */
async function keepAnAdmin(
  user: { id: string; username: string; role: string; disabledAt: Date | null },
  what: string,
) {
  const others = await db.user.count({ where: { role: 'admin', disabledAt: null, id: { not: user.id } } })
  const refusal = lastAdminRefusal(user, others, what)
  if (refusal) throw new OperatorError(refusal)
}

/** A new role; every session the user holds ends (it carried the old rights). */
export async function changeUserRole(userId: string, role: Role) {
  const user = await requireUser(userId)
  if (user.role === role) throw new FieldErrors({ role: [`${user.username} already is ${roleLabels[role]}.`] })
  if (role !== 'admin') await keepAnAdmin(user, 'taking the role away')
  return setRole(user.username, role)
}

/** Disabled: sign-in is refused and every session ends (lib/auth/users.ts). Enabled: they may sign in again. */
export async function setUserDisabled(userId: string, disabled: boolean, actorId: string) {
  const user = await requireUser(userId)
  if (disabled && user.id === actorId) throw new OperatorError('You cannot disable your own account.')
  if (disabled) await keepAnAdmin(user, 'disabling them')
  return setDisabled(user.username, disabled)
}

/**
 * A fresh random password (shown once to the admin who asked, never stored or audited in clear) replaces the user's;
 * every session they hold ends. It is good for one sign-in: the user then chooses their own before anything else
 * (sessionState's 'new-password' stage), so the admin who read it does not keep knowing it.
 */
export async function resetUserPassword(userId: string): Promise<{ username: string; password: string }> {
  const user = await requireUser(userId)
  const password = randomBytes(15).toString('base64url')
  await setPassword(user.username, password, { oneTime: true })
  return { username: user.username, password }
}

/** Signs the user out everywhere: every session they hold ends; their account stays as it is. */
export async function endUserSessions(userId: string) {
  const user = await requireUser(userId)
  const { count } = await db.session.deleteMany({ where: { userId } })
  return { username: user.username, count }
}
