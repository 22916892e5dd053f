import 'server-only'
import QRCode from 'qrcode'
import { db } from '@/lib/db/client'
import { roles, isRole, type Role } from '@/lib/auth/roles'
import { claimLoginAttempt, loginSucceeded } from '@/lib/auth/rate-limit'
import { endSessionsOf, sessionState } from '@/lib/auth/session'
import { authorize } from '@/lib/auth/authorize'
import { FieldErrors, OperatorError } from '@/lib/core/errors'
import { countLoginFailure } from '@/lib/telemetry/metrics'
import { openSecret, sealSecret } from '@/lib/users/secret-box'
import {
  isFreshStep,
  looksLikeRecoveryCode,
  newRecoveryCodes,
  newTotpSecret,
  recoveryCodeHash,
  totpStepOf,
  totpUri,
} from '@/lib/users/totp'

// The TOTP second factor: enrolment (a pending secret, confirmed with a code before it takes effect), the check at
// sign-in (throttled like passwords, each code good once), recovery codes (shown once, stored hashed, single use),
// the admin's reset and the per-role policy. The pure parts are in totp.ts; the secret is sealed (secret-box.ts).

const purpose = 'totp secret'

export type SecondFactorView = {
  enabled: boolean
  /** the enrolment under way: what the authenticator app needs */
  pending: { secret: string; uri: string; qrDataUrl: string } | null
  recoveryCodesLeft: number
  requiredForRole: boolean
}

/** The Account page's view of the signed-in user's own second factor. */
export async function ownSecondFactor(): Promise<SecondFactorView> {
  const user = await authorize('ownAccount')
  return secondFactorOf(user.id)
}

/**
 * The forced set-up's view (/login/enrol): only for a session whose role requires a factor it lacks, which
 * authorize() refuses on purpose (such a session reaches nothing else); null for any other session.
 */
export async function requiredEnrolmentView(): Promise<(SecondFactorView & { username: string }) | null> {
  const state = await sessionState()
  if (state.stage !== 'enrol') return null
  return { ...(await secondFactorOf(state.user.id)), username: state.user.username }
}

async function secondFactorOf(userId: string): Promise<SecondFactorView> {
  const user = await db.user.findUniqueOrThrow({ where: { id: userId } })
  const pendingSecret = user.totpPendingSecret ? openSecret(purpose, user.id, user.totpPendingSecret) : null
  const uri = pendingSecret ? totpUri(pendingSecret, user.username) : null
  return {
    enabled: Boolean(user.totpEnabledAt),
    pending:
      pendingSecret && uri
        ? {
            secret: pendingSecret,
            uri,
            // An inline SVG as a data: address (the Content-Security-Policy allows data: images, no inline SVG markup).
            qrDataUrl: `data:image/svg+xml;base64,${Buffer.from(await QRCode.toString(uri, { type: 'svg', margin: 1 })).toString('base64')}`,
          }
        : null,
    recoveryCodesLeft: await db.recoveryCode.count({ where: { userId, usedAt: null } }),
    requiredForRole: Boolean(await db.secondFactorPolicy.findUnique({ where: { role: user.role } })),
  }
}

/** A new secret waits for its first code; a second start replaces it (the first QR code was never confirmed). */
export async function startEnrolment(userId: string): Promise<void> {
  const user = await db.user.findUniqueOrThrow({ where: { id: userId } })
  if (user.totpEnabledAt)
    throw new OperatorError('Your second factor is already set up. An administrator can reset it if you lost it.')
  await db.user.update({
    where: { id: userId },
    data: { totpPendingSecret: sealSecret(purpose, userId, newTotpSecret()) },
  })
}

/**
 * The code proves the app holds the secret: only then does the factor take effect, with a fresh set of recovery codes,
 * returned here once and stored only as hashes.
 */
export async function confirmEnrolment(userId: string, code: string, now = Date.now()): Promise<string[]> {
  const user = await db.user.findUniqueOrThrow({ where: { id: userId } })
  if (user.totpEnabledAt) throw new OperatorError('Your second factor is already set up.')
  if (!user.totpPendingSecret) throw new OperatorError('Start the set-up first: there is no QR code to confirm.')
  const step = totpStepOf(openSecret(purpose, userId, user.totpPendingSecret), code, now)
  if (step === null)
    throw new FieldErrors({
      token: ['That code does not match. Check the time on your phone and type the newest code.'],
    })
  const codes = newRecoveryCodes()
  await db.$transaction([
    db.user.update({
      where: { id: userId },
      data: {
        totpSecret: user.totpPendingSecret,
        totpPendingSecret: null,
        totpEnabledAt: new Date(now),
        totpLastStep: step,
      },
    }),
    db.recoveryCode.deleteMany({ where: { userId } }),
    db.recoveryCode.createMany({ data: codes.map((c) => ({ userId, hash: recoveryCodeHash(c) })) }),
  ])
  return codes
}

export type SecondFactorCheck =
  | { outcome: 'signed-in'; via: 'totp' | 'recovery-code'; recoveryCodesLeft: number }
  | { outcome: 'wrong' | 'replayed' }
  | { outcome: 'throttled'; retryAfterSeconds: number }

/** The throttle's name for a user's second step; ":" cannot occur in a user name, so it never meets a password row. */
const throttleName = (username: string) => `totp:${username}`

/**
 * The second step of a sign-in: a code from the app or an unused recovery code. Throttled like passwords
 * (lib/auth/rate-limit.ts) under its own name, so a right password does not give the guesses of the code back.
 */
export async function checkSecondFactor(
  user: { id: string; username: string },
  typed: string,
  clientIp: string,
  now = Date.now(),
): Promise<SecondFactorCheck> {
  const slot = await claimLoginAttempt(throttleName(user.username), clientIp, now)
  if (!slot.allowed) {
    countLoginFailure()
    return { outcome: 'throttled', retryAfterSeconds: slot.retryAfterSeconds }
  }
  const result = await verify(user.id, typed, now)
  if (result.outcome !== 'signed-in') {
    countLoginFailure()
    return result
  }
  await loginSucceeded(throttleName(user.username), clientIp)
  return result
}

async function verify(userId: string, typed: string, now: number): Promise<SecondFactorCheck> {
  const user = await db.user.findUniqueOrThrow({ where: { id: userId } })
  if (!user.totpSecret) return { outcome: 'wrong' }
  const left = () => db.recoveryCode.count({ where: { userId, usedAt: null } })
  if (looksLikeRecoveryCode(typed)) {
    // One statement marks it used, so two requests racing with the same code cannot both pass.
    const used = await db.recoveryCode.updateMany({
      where: { userId, hash: recoveryCodeHash(typed), usedAt: null },
      data: { usedAt: new Date(now) },
    })
    return used.count === 1
      ? { outcome: 'signed-in', via: 'recovery-code', recoveryCodesLeft: await left() }
      : { outcome: 'wrong' }
  }
  const step = totpStepOf(openSecret(purpose, userId, user.totpSecret), typed, now)
  if (step === null) return { outcome: 'wrong' }
  if (!isFreshStep(step, user.totpLastStep)) return { outcome: 'replayed' }
  // Conditional on the step still being fresh: of two requests with one code, one moves it on and the other is refused.
  const accepted = await db.user.updateMany({
    where: { id: userId, OR: [{ totpLastStep: null }, { totpLastStep: { lt: step } }] },
    data: { totpLastStep: step },
  })
  return accepted.count === 1
    ? { outcome: 'signed-in', via: 'totp', recoveryCodesLeft: await left() }
    : { outcome: 'replayed' }
}

/** An admin takes a user's factor away (a lost phone): the user sets up a new one; every session they hold ends. */
export async function resetSecondFactor(userId: string) {
  const user = await db.user.findUnique({ where: { id: userId } })
  if (!user) throw new OperatorError('That user does not exist.')
  // A user without a factor is reset all the same (their sessions end): the admin's intent holds either way.
  await db.$transaction([
    db.user.update({
      where: { id: userId },
      data: { totpSecret: null, totpPendingSecret: null, totpEnabledAt: null, totpLastStep: null },
    }),
    db.recoveryCode.deleteMany({ where: { userId } }),
  ])
  await endSessionsOf(userId)
  return user
}

/** The roles whose users must sign in with a second factor. */
export async function rolesRequiringSecondFactor(): Promise<Role[]> {
  const rows = await db.secondFactorPolicy.findMany()
  return roles.filter((role) => rows.some((row) => row.role === role))
}

export async function setSecondFactorPolicy(role: string, required: boolean): Promise<void> {
  if (!isRole(role)) throw new FieldErrors({ role: [`Unknown role ${role}.`] })
  if (required) await db.secondFactorPolicy.upsert({ where: { role }, create: { role }, update: {} })
  else await db.secondFactorPolicy.deleteMany({ where: { role } })
}
