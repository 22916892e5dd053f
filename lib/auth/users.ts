import 'server-only'
import { db } from '@/lib/db/client'
import { hashPassword } from '@/lib/auth/password'
import { isRole, type Role } from '@/lib/auth/roles'
import { FieldErrors } from '@/lib/core/errors'

/** A refusal of one field, whose message also reads well alone (the users script prints it). */
const refuse = (field: string, message: string) => new FieldErrors({ [field]: [message] }, message)

export async function createUser(username: string, role: Role, password: string) {
  if (!/^[a-zA-Z0-9._-]{1,64}$/.test(username))
    throw refuse('username', 'User names use letters, digits, ".", "_" and "-" (at most 64).')
  if (!isRole(role)) throw refuse('role', `Unknown role ${role}`)
  if (password.length < 12) throw refuse('password', 'Passwords need at least 12 characters.')
  return db.user.create({ data: { username, role, passwordHash: await hashPassword(password) } })
}

// A changed password or role ends every session the user holds: a session must not outlive the credentials or the
// rights it was granted on. A one-time password (an administrator's reset) must be replaced at the next sign-in.
export async function setPassword(username: string, password: string, options: { oneTime?: boolean } = {}) {
  if (password.length < 12) throw refuse('password', 'Passwords need at least 12 characters.')
  const user = await db.user.update({
    where: { username },
    data: { passwordHash: await hashPassword(password), passwordMustChange: options.oneTime ?? false },
  })
  await db.session.deleteMany({ where: { userId: user.id } })
  return user
}

export async function setRole(username: string, role: Role) {
  if (!isRole(role)) throw refuse('role', `Unknown role ${role}`)
  const user = await db.user.update({ where: { username }, data: { role } })
  await db.session.deleteMany({ where: { userId: user.id } })
  return user
}

/** A disabled user cannot sign in, and every session they hold ends. */
export async function setDisabled(username: string, disabled: boolean) {
  const user = await db.user.update({ where: { username }, data: { disabledAt: disabled ? new Date() : null } })
  if (disabled) await db.session.deleteMany({ where: { userId: user.id } })
  return user
}

export async function deleteUser(username: string) {
  return db.user.deleteMany({ where: { username } })
}
