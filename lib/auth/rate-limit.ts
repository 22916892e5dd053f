import 'server-only'
import { db } from '@/lib/db/client'
import { countLoginFailure } from '@/lib/telemetry/metrics'

const windowMs = 15 * 60 * 1000
const maxFailuresPerUser = 5
const maxFailuresPerClient = 20

/** Seconds until another try is allowed, or 0. Counted from the database so a restart does not reset it. */
export async function loginRetryAfter(username: string, clientIp: string): Promise<number> {
  const since = new Date(Date.now() - windowMs)
  const [byUser, byClient] = await Promise.all([
    db.loginAttempt.findMany({ where: { username, success: false, at: { gte: since } }, orderBy: { at: 'asc' } }),
    db.loginAttempt.findMany({ where: { clientIp, success: false, at: { gte: since } }, orderBy: { at: 'asc' } }),
  ])
  const blocking =
    byUser.length >= maxFailuresPerUser
      ? byUser[byUser.length - maxFailuresPerUser]
      : byClient.length >= maxFailuresPerClient
        ? byClient[byClient.length - maxFailuresPerClient]
        : undefined
  if (!blocking) return 0
  return Math.max(1, Math.ceil((blocking.at.getTime() + windowMs - Date.now()) / 1000))
}

export async function recordLoginAttempt(username: string, clientIp: string, success: boolean): Promise<void> {
  await db.loginAttempt.create({ data: { username, clientIp, success } })
  if (!success) countLoginFailure()
  if (success) await db.loginAttempt.deleteMany({ where: { username, success: false } })
}
