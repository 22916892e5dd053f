import 'server-only'
import { createHash, randomBytes } from 'node:crypto'
import { z } from 'zod'
import { db } from '@/lib/db/client'
import { authorize } from '@/lib/auth/authorize'
import { isRole } from '@/lib/auth/roles'
import type { SessionUser } from '@/lib/auth/session'
import type { ActingToken, TokenScope } from '@/lib/auth/token-scope'
import { OperatorError } from '@/lib/core/errors'
import { shortText, wholeNumber } from '@/lib/addresses/value-rules'

/*
 * Personal access tokens of the API. The secret ("vn_" and 43 random base64url characters) is shown once, when it is
 * made; the database keeps its sha256 only, so a leaked database does not leak live tokens. A token acts as its user,
 * never more: the role is read from the user on every request, a disabled user's tokens stop working, a read-only token
 * may not change anything (lib/actions/run-action.ts), and each token is rate-limited in its own row.
 */

export const tokenPrefix = 'vn_'
export const tokenScopes = ['read', 'write'] as const satisfies readonly TokenScope[]

/** Requests per token and window; one conditional UPDATE claims each (fixed window, shared by every replica). */
export const tokenRateLimit = { requests: 600, windowMs: 60 * 1000 }

export const CreateTokenSchema = z.object({
  name: shortText(64).pipe(z.string().min(1, 'Give the token a name.')),
  scope: z.enum(tokenScopes, { error: 'Choose read-only or read-write.' }),
  expiresInDays: wholeNumber({ min: 1, max: 366 }),
})

export const TokenRefSchema = z.object({ tokenId: z.string().trim().min(1, 'Name a token.').max(64) })

const hashOf = (secret: string) => createHash('sha256').update(secret).digest('hex')

/** What a listing shows of a token; never its hash. */
const listed = {
  id: true,
  name: true,
  prefix: true,
  scope: true,
  createdAt: true,
  expiresAt: true,
  lastUsedAt: true,
  revokedAt: true,
} as const

/** Makes a token for `user`; the secret is in the answer and nowhere else. */
export async function createApiToken(user: SessionUser, input: z.infer<typeof CreateTokenSchema>) {
  const secret = `${tokenPrefix}${randomBytes(32).toString('base64url')}`
  const token = await db.apiToken.create({
    data: {
      hash: hashOf(secret),
      prefix: secret.slice(0, tokenPrefix.length + 6),
      name: input.name,
      scope: input.scope,
      userId: user.id,
      expiresAt: new Date(Date.now() + input.expiresInDays * 24 * 60 * 60 * 1000),
    },
    select: listed,
  })
  return { token, secret }
}

/** The signed-in user's own tokens, newest first. */
export async function listOwnTokens() {
  const user = await authorize('ownAccount')
  return db.apiToken.findMany({ where: { userId: user.id }, orderBy: { createdAt: 'desc' }, select: listed })
}

/** Every user's tokens, for administrators. */
export async function listAllTokens() {
  await authorize('manageUsers')
  return db.apiToken.findMany({
    orderBy: { createdAt: 'desc' },
    select: { ...listed, user: { select: { username: true } } },
  })
}

/**
 * Revokes a token: the user's own (`ownerId`) or, for an administrator, anyone's (no ownerId). The write comes first
 * and says whether there was such a live token, so a preview stops before any check could tell tokens apart.
 */
export async function revokeApiToken(tokenId: string, ownerId?: string) {
  const revoked = await db.apiToken.updateMany({
    where: { id: tokenId, revokedAt: null, ...(ownerId ? { userId: ownerId } : {}) },
    data: { revokedAt: new Date() },
  })
  if (revoked.count === 0) throw new OperatorError('There is no such live token.')
  return db.apiToken.findUniqueOrThrow({ where: { id: tokenId }, select: { ...listed, userId: true } })
}

export type TokenCheck =
  | { ok: true; user: SessionUser; token: ActingToken }
  | { ok: false; reason: 'missing' | 'unknown' | 'expired' | 'revoked' | 'disabled' }

/** Who a bearer secret acts as, checked against the token and its user as they are now. */
export async function checkApiToken(secret: string | null): Promise<TokenCheck> {
  if (!secret) return { ok: false, reason: 'missing' }
  if (!secret.startsWith(tokenPrefix) || secret.length > 200) return { ok: false, reason: 'unknown' }
  const row = await db.apiToken.findUnique({ where: { hash: hashOf(secret) }, include: { user: true } })
  if (!row) return { ok: false, reason: 'unknown' }
  if (row.revokedAt) return { ok: false, reason: 'revoked' }
  if (row.expiresAt.getTime() <= Date.now()) return { ok: false, reason: 'expired' }
  if (row.user.disabledAt || !isRole(row.user.role)) return { ok: false, reason: 'disabled' }
  return {
    ok: true,
    user: { id: row.user.id, username: row.user.username, role: row.user.role },
    token: { id: row.id, name: row.name, scope: row.scope === 'write' ? 'write' : 'read' },
  }
}

/**
 * Claims one request of the token's rate window and notes when it was last used. Null when the request may go ahead;
 * otherwise the seconds until the window ends. The counters move in one conditional UPDATE (atomic in the database,
 * so parallel requests through several replicas count together).
 */
export async function claimTokenRequest(tokenId: string, now = Date.now()): Promise<number | null> {
  const { requests, windowMs } = tokenRateLimit
  const windowEnded = now - windowMs
  const claimed = await db.$executeRaw`
    UPDATE "ApiToken" SET
      "windowCount" = (CASE WHEN "windowStart" <= ${windowEnded} THEN 1 ELSE "windowCount" + 1 END),
      "windowStart" = (CASE WHEN "windowStart" <= ${windowEnded} THEN ${now} ELSE "windowStart" END)
    WHERE "id" = ${tokenId} AND ("windowStart" <= ${windowEnded} OR "windowCount" < ${requests})`
  if (claimed > 0) {
    // Through the client, so the time is stored the way Prisma stores every DateTime.
    await db.apiToken.update({ where: { id: tokenId }, data: { lastUsedAt: new Date(now) } })
    return null
  }
  const row = await db.apiToken.findUnique({ where: { id: tokenId }, select: { windowStart: true } })
  const waitMs = row ? Number(row.windowStart) + windowMs - now : windowMs
  return Math.max(1, Math.ceil(waitMs / 1000))
}
