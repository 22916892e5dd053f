import 'server-only'
import { createHash, randomBytes } from 'node:crypto'
import { cache } from 'react'
import { cookies } from 'next/headers'
import { db } from '@/lib/db/client'
import { isRole, type Role } from '@/lib/auth/roles'
import { sessionCookieName } from '@/lib/auth/cookie'
import { requestClient } from '@/lib/auth/client'
import { tokenUser } from '@/lib/auth/token-scope'

/** A session ends after this long without a request (sliding), and this long after sign-in whatever happens. */
export const sessionLimits = { idleMs: 2 * 60 * 60 * 1000, absoluteMs: 12 * 60 * 60 * 1000 }
// Touching lastSeenAt on every request would turn every page view into a write; once a minute is enough.
const touchIntervalMs = 60 * 1000

export type SessionUser = { id: string; username: string; role: Role }

const tokenId = (token: string) => createHash('sha256').update(token).digest('hex')

export async function createSession(userId: string): Promise<void> {
  const token = randomBytes(32).toString('base64url')
  const now = Date.now()
  const expiresAt = new Date(now + sessionLimits.idleMs)
  await db.session.create({ data: { id: tokenId(token), userId, expiresAt, createdAt: new Date(now) } })
  const jar = await cookies()
  jar.set(sessionCookieName, token, {
    httpOnly: true,
    sameSite: 'lax',
    // Secure whenever the browser reached us over HTTPS, directly or through a trusted proxy; the variable forces it.
    secure: process.env.VIRTNET_SECURE_COOKIES === '1' || (await requestClient()).https,
    path: '/',
    // The browser may drop it at the absolute end; the database decides either way.
    expires: new Date(now + sessionLimits.absoluteMs),
  })
}

/** Ends every session of a user: their password or role changed, or they were disabled. */
export async function endSessionsOf(userId: string): Promise<void> {
  await db.session.deleteMany({ where: { userId } })
}

export async function destroySession(): Promise<void> {
  const jar = await cookies()
  const token = jar.get(sessionCookieName)?.value
  if (token) await db.session.deleteMany({ where: { id: tokenId(token) } })
  jar.delete(sessionCookieName)
}

/**
 * The signed-in user for this request, or null. Cached per request. An API request acts as its token's user
 * (checked by lib/api/authenticate.ts before the request runs) and never looks at cookies.
 */
export const currentUser = cache(async (): Promise<SessionUser | null> => {
  const viaToken = tokenUser()
  if (viaToken) return viaToken
  const token = (await cookies()).get(sessionCookieName)?.value
  if (!token) return null
  const session = await db.session.findUnique({ where: { id: tokenId(token) }, include: { user: true } })
  const now = Date.now()
  if (
    !session ||
    session.expiresAt.getTime() <= now ||
    session.createdAt.getTime() + sessionLimits.absoluteMs <= now ||
    session.user.disabledAt ||
    !isRole(session.user.role)
  ) {
    return null
  }
  if (now - session.lastSeenAt.getTime() > touchIntervalMs) {
    await db.session.update({
      where: { id: session.id },
      data: { lastSeenAt: new Date(now), expiresAt: new Date(now + sessionLimits.idleMs) },
    })
  }
  return { id: session.user.id, username: session.user.username, role: session.user.role }
})
