import 'server-only'
import { createHash, randomBytes } from 'node:crypto'
import { cache } from 'react'
import { cookies } from 'next/headers'
import { db } from '@/lib/db/client'
import { isRole, type Role } from '@/lib/auth/roles'
import { sessionCookieName } from '@/lib/auth/cookie'

const sessionLifetimeMs = 12 * 60 * 60 * 1000
// Touching lastSeenAt on every request would turn every page view into a write; once a minute is enough.
const touchIntervalMs = 60 * 1000

export type SessionUser = { id: string; username: string; role: Role }

const tokenId = (token: string) => createHash('sha256').update(token).digest('hex')

export async function createSession(userId: string): Promise<void> {
  const token = randomBytes(32).toString('base64url')
  const expiresAt = new Date(Date.now() + sessionLifetimeMs)
  await db.session.create({ data: { id: tokenId(token), userId, expiresAt } })
  const jar = await cookies()
  jar.set(sessionCookieName, token, {
    httpOnly: true,
    sameSite: 'lax',
    secure: process.env.VIRTNET_SECURE_COOKIES === '1',
    path: '/',
    expires: expiresAt,
  })
}

export async function destroySession(): Promise<void> {
  const jar = await cookies()
  const token = jar.get(sessionCookieName)?.value
  if (token) await db.session.deleteMany({ where: { id: tokenId(token) } })
  jar.delete(sessionCookieName)
}

/** The signed-in user for this request, or null. Cached per request. */
export const currentUser = cache(async (): Promise<SessionUser | null> => {
  const token = (await cookies()).get(sessionCookieName)?.value
  if (!token) return null
  const session = await db.session.findUnique({ where: { id: tokenId(token) }, include: { user: true } })
  if (!session || session.expiresAt.getTime() < Date.now() || session.user.disabledAt || !isRole(session.user.role)) {
    return null
  }
  if (Date.now() - session.lastSeenAt.getTime() > touchIntervalMs) {
    await db.session.update({
      where: { id: session.id },
      data: { lastSeenAt: new Date(), expiresAt: new Date(Date.now() + sessionLifetimeMs) },
    })
  }
  return { id: session.user.id, username: session.user.username, role: session.user.role }
})
