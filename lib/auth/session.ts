import 'server-only'
import { createHash, randomBytes } from 'node:crypto'
import { cache } from 'react'
import { cookies } from 'next/headers'
import { db } from '@/lib/db/client'
import { isRole, type Role } from '@/lib/auth/roles'
import { sessionCookieName } from '@/lib/auth/cookie'
import { requestClient } from '@/lib/auth/client'
import { tokenUser } from '@/lib/auth/token-scope'
import { oidcSettings } from '@/lib/config/oidc-env'

/** A session ends after this long without a request (sliding), and this long after sign-in whatever happens. */
export const sessionLimits = { idleMs: 2 * 60 * 60 * 1000, absoluteMs: 12 * 60 * 60 * 1000 }
// Touching lastSeenAt on every request would turn every page view into a write; once a minute is enough.
const touchIntervalMs = 60 * 1000

export type SessionUser = { id: string; username: string; role: Role }

const tokenId = (token: string) => createHash('sha256').update(token).digest('hex')

/** A session whose password was right waits this long at most for the second factor. */
export const pendingFactorMs = 10 * 60 * 1000

/**
 * A session for a user whose password was right. With `pendingFactor` it is only half signed in: currentUser() does
 * not see it, so it reaches nothing but the second-factor form (sessionState).
 */
export async function createSession(userId: string, options: { pendingFactor?: 'totp' } = {}): Promise<void> {
  const token = randomBytes(32).toString('base64url')
  const now = Date.now()
  const expiresAt = new Date(now + (options.pendingFactor ? pendingFactorMs : sessionLimits.idleMs))
  await db.session.create({
    data: { id: tokenId(token), userId, expiresAt, createdAt: new Date(now), pendingFactor: options.pendingFactor },
  })
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
 * Where this request's session stands. 'second-factor': the password was right, the code is still to come.
 * 'new-password': signed in with a one-time password an administrator set, so they choose their own before anything
 * else. 'enrol': signed in, but the user's role requires a second factor they have not set up, so they set it up before
 * anything else. Only 'signed-in' reaches the dashboard (currentUser). Cached per request.
 */
export type SessionState =
  | { stage: 'none' }
  | { stage: 'second-factor' | 'new-password' | 'enrol' | 'signed-in'; user: SessionUser; sessionId: string }

export const sessionState = cache(async (): Promise<SessionState> => {
  const token = (await cookies()).get(sessionCookieName)?.value
  if (!token) return { stage: 'none' }
  const session = await db.session.findUnique({ where: { id: tokenId(token) }, include: { user: true } })
  const now = Date.now()
  if (
    !session ||
    session.expiresAt.getTime() <= now ||
    session.createdAt.getTime() + sessionLimits.absoluteMs <= now ||
    session.user.disabledAt ||
    !isRole(session.user.role)
  ) {
    return { stage: 'none' }
  }
  const user: SessionUser = { id: session.user.id, username: session.user.username, role: session.user.role }
  // A half-signed-in session is never extended: its few minutes count from the password.
  if (session.pendingFactor) return { stage: 'second-factor', user, sessionId: session.id }
  if (now - session.lastSeenAt.getTime() > touchIntervalMs) {
    await db.session.update({
      where: { id: session.id },
      data: { lastSeenAt: new Date(now), expiresAt: new Date(now + sessionLimits.idleMs) },
    })
  }
  if (session.user.passwordMustChange) return { stage: 'new-password', user, sessionId: session.id }
  // Checked on every request, not only at sign-in: a policy set while the user is signed in applies at once. Users who
  // sign in through OpenID Connect are left to their provider's own second factor unless VIRTNET_OIDC_SECOND_FACTOR
  // says "policy" (docs/decisions/0005-second-factor-and-sso.md).
  const policyApplies = !session.user.oidcSubject || oidcSettings()?.secondFactor === 'policy'
  if (
    policyApplies &&
    !session.user.totpEnabledAt &&
    (await db.secondFactorPolicy.findUnique({ where: { role: user.role } }))
  )
    return { stage: 'enrol', user, sessionId: session.id }
  return { stage: 'signed-in', user, sessionId: session.id }
})

/**
 * The signed-in user for this request, or null (also while a second factor is pending or must be set up). An API
 * request acts as its token's user (checked by lib/api/authenticate.ts before the request runs) and never looks at
 * cookies.
 */
export const currentUser = cache(async (): Promise<SessionUser | null> => {
  const viaToken = tokenUser()
  if (viaToken) return viaToken
  const state = await sessionState()
  return state.stage === 'signed-in' ? state.user : null
})
