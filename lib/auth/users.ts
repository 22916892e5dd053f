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

export async function setPassword(username: string, password: string) {
  if (password.length < 12) throw refuse('password', 'Passwords need at least 12 characters.')
  return db.user.update({ where: { username }, data: { passwordHash: await hashPassword(password) } })
}

export async function deleteUser(username: string) {
  return db.user.deleteMany({ where: { username } })
}
