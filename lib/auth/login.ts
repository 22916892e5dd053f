import 'server-only'
import { db } from '@/lib/db/client'
import { hashPassword, needsRehash, unknownUserHash, verifyPassword } from '@/lib/auth/password'
import { claimLoginAttempt, loginSucceeded } from '@/lib/auth/rate-limit'
import { countLoginFailure } from '@/lib/telemetry/metrics'

export type LoginCheck =
  | { outcome: 'signed-in'; user: { id: string; username: string } }
  | { outcome: 'wrong'; userId: string | null }
  | { outcome: 'throttled'; retryAfterSeconds: number }

/**
 * One log-in attempt: its throttling slot first (claimed and counted in one step, lib/auth/rate-limit.ts), then the
 * password. A disabled user's right password is refused like a wrong one. A hash made with older scrypt parameters
 * is replaced now that the password is known.
 */
export async function checkLogin(username: string, password: string, clientIp: string): Promise<LoginCheck> {
  const slot = await claimLoginAttempt(username, clientIp)
  if (!slot.allowed) {
    countLoginFailure()
    return { outcome: 'throttled', retryAfterSeconds: slot.retryAfterSeconds }
  }
  const user = await db.user.findUnique({ where: { username } })
  // An unknown name is checked against a hash as costly as a real one, so timing does not reveal which names exist.
  const valid = await verifyPassword(password, user?.passwordHash ?? unknownUserHash)
  if (!user || !valid || user.disabledAt) {
    countLoginFailure()
    return { outcome: 'wrong', userId: user?.id ?? null }
  }
  await loginSucceeded(username, clientIp)
  if (needsRehash(user.passwordHash))
    await db.user.update({ where: { id: user.id }, data: { passwordHash: await hashPassword(password) } })
  return { outcome: 'signed-in', user: { id: user.id, username: user.username } }
}

/** "Try again in 4 seconds." / "… in 5 minutes." */
export function retryAfterText(seconds: number): string {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? '' : 's'}`
  const minutes = Math.ceil(seconds / 60)
  return `${minutes} minute${minutes === 1 ? '' : 's'}`
}
