import 'server-only'
import { db } from '@/lib/db/client'
import { Prisma } from '@/lib/db/generated/client'

/**
 * Log-in throttling: a delay that grows with each failed attempt of one user name from one client, and a looser one
 * per client over every user name (password spraying), instead of a hard lock anyone could put on any account.
 *
 * Each attempt claims its slot before the password is checked, in one conditional upsert per row (LoginThrottle):
 * it counts the attempt as failed and moves the next allowed instant on, or does nothing when that instant has not
 * come. SQLite runs each statement atomically across every process sharing the database, so 50 parallel guesses see
 * one another: only the free ones pass, the rest wait for the delay. A refused attempt changes nothing, so a correct
 * password waits at most the delay that stands, never longer. A success gives its counted failure back.
 */
export const throttle = {
  /** one user name from one client: the first few mistakes are free, then 2 s, 4 s, … up to 5 minutes */
  perUser: { freeFailures: 3, maxDelaySeconds: 300 },
  /** one client, every user name */
  perClient: { freeFailures: 20, maxDelaySeconds: 300 },
  /** a row quiet this long starts counting again from zero */
  decayMs: 15 * 60 * 1000,
}

const anyUser = ''

export type LoginSlot = { allowed: true } | { allowed: false; retryAfterSeconds: number }

/** Claims the slot for one attempt (counted as failed until `loginSucceeded` says otherwise). */
export async function claimLoginAttempt(username: string, clientIp: string, now = Date.now()): Promise<LoginSlot> {
  const byClient = await claimRow(anyUser, clientIp, throttle.perClient, now)
  if (byClient) return byClient
  return (await claimRow(username, clientIp, throttle.perUser, now)) ?? { allowed: true }
}

/** The attempt was right: the user's count from this client starts over; the client's loses the counted failure. */
export async function loginSucceeded(username: string, clientIp: string): Promise<void> {
  await db.$executeRaw`DELETE FROM "LoginThrottle" WHERE "username" = ${username} AND "clientIp" = ${clientIp}`
  await db.$executeRaw`UPDATE "LoginThrottle" SET "failures" = (CASE WHEN "failures" > 0 THEN "failures" - 1 ELSE 0 END)
    WHERE "username" = ${anyUser} AND "clientIp" = ${clientIp}`
}

/** Null when the attempt may go ahead (and is now counted); the refusal otherwise. */
async function claimRow(
  username: string,
  clientIp: string,
  { freeFailures, maxDelaySeconds }: { freeFailures: number; maxDelaySeconds: number },
  now: number,
): Promise<LoginSlot | null> {
  const quietSince = now - throttle.decayMs
  // The delay after `failures` counted attempts, in ms: none while free, then doubling from 2 s (the shift is clamped
  // because SQLite's << gives 0 past 63 bits). The SQL runs on SQLite and PostgreSQL alike: CASE for min(), columns
  // named with their table (PostgreSQL's upsert also sees the proposed row), times cast to BIGINT. While free, the next attempt is allowed at any time (0), not from this
  // attempt's instant on: processes' clocks differ by milliseconds, and a free attempt must never refuse another.
  const firstNextAllowedAt = freeFailures >= 1 ? 0 : now + 2000
  const failures = Prisma.sql`(CASE WHEN "LoginThrottle"."lastAttemptAt" < CAST(${quietSince} AS BIGINT) THEN 1
    ELSE "LoginThrottle"."failures" + 1 END)`
  const exponent = Prisma.sql`(CASE WHEN ${failures} - ${freeFailures} < 30 THEN ${failures} - ${freeFailures} ELSE 30 END)`
  const delaySeconds = Prisma.sql`(CASE WHEN (1 << ${exponent}) < ${maxDelaySeconds} THEN (1 << ${exponent})
    ELSE ${maxDelaySeconds} END)`
  const claimed = await db.$queryRaw<{ failures: number }[]>`
    INSERT INTO "LoginThrottle" ("username", "clientIp", "failures", "lastAttemptAt", "nextAllowedAt")
    VALUES (${username}, ${clientIp}, 1, CAST(${now} AS BIGINT), CAST(${firstNextAllowedAt} AS BIGINT))
    ON CONFLICT ("username", "clientIp") DO UPDATE SET
      "failures" = ${failures},
      "lastAttemptAt" = CAST(${now} AS BIGINT),
      "nextAllowedAt" = (CASE WHEN ${failures} <= ${freeFailures} THEN 0
        ELSE CAST(${now} AS BIGINT) + 1000 * ${delaySeconds} END)
    WHERE "LoginThrottle"."nextAllowedAt" <= CAST(${now} AS BIGINT)
    RETURNING "failures"`
  if (claimed.length) return null
  const [row] = await db.$queryRaw<{ nextAllowedAt: bigint | number }[]>`
    SELECT "nextAllowedAt" FROM "LoginThrottle" WHERE "username" = ${username} AND "clientIp" = ${clientIp}`
  const waitMs = row ? Number(row.nextAllowedAt) - now : 1000
  return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) }
}
