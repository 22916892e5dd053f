import 'server-only'
import { db } from '@/lib/db/client'
import { hashPassword } from '@/lib/auth/password'
import { isRole, type Role } from '@/lib/auth/roles'

export async function createUser(username: string, role: Role, password: string) {
  if (!/^[a-zA-Z0-9._-]{1,64}$/.test(username))
    throw new Error('User names use letters, digits, ".", "_" and "-" (at most 64).')
  if (!isRole(role)) throw new Error(`Unknown role ${role}`)
  if (password.length < 12) throw new Error('Passwords need at least 12 characters.')
  return db.user.create({ data: { username, role, passwordHash: await hashPassword(password) } })
}

export async function setPassword(username: string, password: string) {
  if (password.length < 12) throw new Error('Passwords need at least 12 characters.')
  return db.user.update({ where: { username }, data: { passwordHash: await hashPassword(password) } })
}

export async function deleteUser(username: string) {
  return db.user.deleteMany({ where: { username } })
}
