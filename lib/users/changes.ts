import 'server-only'
import { db } from '@/lib/db/client'
import { createUser } from '@/lib/auth/users'
import type { Role } from '@/lib/auth/roles'
import { FieldErrors, OperatorError } from '@/lib/core/errors'
import { run } from '@/lib/ssh'
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

/** Assigns a guest by name; its UUID is read from the host so a renamed guest stays assigned. */
export async function assignGuest(userId: string, hostId: string, guestName: string) {
  const user = await requireSelfServiceUser(userId)
  const { row, target } = await requireConnectableHost(hostId)
  const result = await run(target, virsh('domuuid', '--domain', guestName), { allowFailure: true })
  const uuid = result.stdout.trim()
  if (result.exitCode !== 0 || !/^[0-9a-f-]{36}$/.test(uuid))
    throw new FieldErrors({ guestName: [`${row.name} has no guest named ${guestName}.`] })
  await db.selfServiceGuest.upsert({
    where: { userId_hostId_guestUuid: { userId, hostId, guestUuid: uuid } },
    create: { userId, hostId, guestUuid: uuid, guestName },
    update: { guestName },
  })
  return { user, host: row, uuid }
}

export async function unassignGuest(grantId: string) {
  const grant = await db.selfServiceGuest.findUnique({ where: { id: grantId }, include: { user: true } })
  if (!grant) throw new OperatorError('That assignment no longer exists.')
  await db.selfServiceGuest.delete({ where: { id: grantId } })
  return grant
}
