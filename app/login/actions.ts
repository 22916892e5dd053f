'use server'

import { redirect } from 'next/navigation'
import { z } from 'zod'
import { revalidatePath } from 'next/cache'
import { createSession, destroySession, sessionState } from '@/lib/auth/session'
import { db } from '@/lib/db/client'
import { checkSecondFactor, confirmEnrolment, startEnrolment } from '@/lib/users/second-factor'
import { SecondFactorCodeSchema } from '@/lib/users/schemas'
import { FieldErrors, OperatorError } from '@/lib/core/errors'
import { requestClient } from '@/lib/auth/client'
import { checkLogin, retryAfterText } from '@/lib/auth/login'
import { recordAudit } from '@/lib/audit/record'
import { recordSignedOutRefusal } from '@/lib/audit/refusals'
import type { FormState } from '@/lib/actions/form-state'
import { chooseNewPassword, NewPasswordSchema } from '@/lib/auth/account'

const LoginSchema = z.object({
  username: z.string().trim().min(1, 'Enter your user name.').max(100),
  password: z.string().min(1, 'Enter your password.').max(1000),
})

export async function login(_previous: FormState, formData: FormData): Promise<FormState> {
  const parsed = LoginSchema.safeParse(Object.fromEntries(formData))
  if (!parsed.success) {
    return { status: 'error', message: null, errors: z.flattenError(parsed.error).fieldErrors }
  }
  const { username, password } = parsed.data
  const clientIp = (await requestClient()).address
  const check = await checkLogin(username, password, clientIp)
  if (check.outcome === 'throttled') {
    // A throttled attempt costs the sender nothing: one record per client and minute, the rest summed up (like every
    // signed-out refusal, lib/audit/refusals.ts).
    await recordSignedOutRefusal(clientIp, {
      actor: { id: null, username },
      target: clientIp,
      action: 'auth.login',
      params: { username, clientIp },
      result: 'refused',
      error: 'Too many failed attempts',
    })
    return {
      status: 'error',
      message: `Too many failed attempts. Try again in ${retryAfterText(check.retryAfterSeconds)}.`,
      errors: {},
      values: { username },
    }
  }
  if (check.outcome === 'wrong') {
    await recordAudit({
      actor: { id: check.userId, username },
      action: 'auth.login',
      params: { username, clientIp },
      result: 'refused',
      error: 'Wrong user name or password',
    })
    return { status: 'error', message: 'Wrong user name or password.', errors: {}, values: { username } }
  }
  // With a second factor, the password opens a half session that reaches only the code form (the login page).
  const { totpEnabledAt } = await db.user.findUniqueOrThrow({ where: { id: check.user.id } })
  await createSession(check.user.id, { pendingFactor: totpEnabledAt ? 'totp' : undefined })
  await recordAudit({
    actor: { id: check.user.id, username },
    action: 'auth.login',
    params: { username, clientIp, ...(totpEnabledAt && { secondFactor: 'asked next' }) },
    result: 'success',
  })
  redirect(totpEnabledAt ? '/login' : '/')
}

/** The second step of a sign-in: the code from the app, or a recovery code. */
export async function verifySecondFactor(_previous: FormState, formData: FormData): Promise<FormState> {
  const state = await sessionState()
  if (state.stage !== 'second-factor')
    return { status: 'error', message: 'Sign in with your password first.', errors: {} }
  const parsed = SecondFactorCodeSchema.safeParse(Object.fromEntries(formData))
  if (!parsed.success) return { status: 'error', message: null, errors: z.flattenError(parsed.error).fieldErrors }
  const { user } = state
  const actor = { id: user.id, username: user.username }
  const clientIp = (await requestClient()).address
  const check = await checkSecondFactor(user, parsed.data.token, clientIp)
  if (check.outcome === 'throttled') {
    await recordSignedOutRefusal(clientIp, {
      actor,
      target: clientIp,
      action: 'auth.second-factor',
      params: { username: user.username, clientIp },
      result: 'refused',
      error: 'Too many failed attempts',
    })
    return {
      status: 'error',
      message: `Too many failed attempts. Try again in ${retryAfterText(check.retryAfterSeconds)}.`,
      errors: {},
    }
  }
  if (check.outcome !== 'signed-in') {
    const error = check.outcome === 'replayed' ? 'Code already used' : 'Wrong code'
    await recordAudit({ actor, action: 'auth.second-factor', params: { clientIp }, result: 'refused', error })
    const message =
      check.outcome === 'replayed'
        ? 'That code was already used. Wait for the next one.'
        : 'That code is not right. Type the newest code from your app, or a recovery code.'
    return { status: 'error', message, errors: {} }
  }
  // A fresh token for the full session: the half session's cookie must not become a full one.
  await destroySession()
  await createSession(user.id)
  await recordAudit({
    actor,
    action: check.via === 'recovery-code' ? 'auth.recovery-code' : 'auth.second-factor',
    params: { clientIp, ...(check.via === 'recovery-code' && { recoveryCodesLeft: check.recoveryCodesLeft }) },
    result: 'success',
  })
  redirect('/')
}

/** Forced enrolment (the role requires a second factor): the session reaches only /login/enrol until it is set up. */
async function enrollingUser() {
  const state = await sessionState()
  return state.stage === 'enrol' ? state.user : null
}

export async function startRequiredEnrolment(): Promise<FormState> {
  const user = await enrollingUser()
  if (!user) return { status: 'error', message: 'There is no set-up to start: sign in first.', errors: {} }
  await startEnrolment(user.id)
  await recordAudit({
    actor: { id: user.id, username: user.username },
    action: 'user.second-factor.start',
    result: 'success',
  })
  revalidatePath('/login/enrol')
  return { status: 'success', message: 'Scan the QR code, then type the code your app shows.', errors: {} }
}

export async function confirmRequiredEnrolment(_previous: FormState, formData: FormData): Promise<FormState> {
  const user = await enrollingUser()
  if (!user) return { status: 'error', message: 'There is no set-up to confirm: sign in first.', errors: {} }
  const parsed = SecondFactorCodeSchema.safeParse(Object.fromEntries(formData))
  if (!parsed.success) return { status: 'error', message: null, errors: z.flattenError(parsed.error).fieldErrors }
  const actor = { id: user.id, username: user.username }
  try {
    const codes = await confirmEnrolment(user.id, parsed.data.token)
    await recordAudit({ actor, action: 'user.second-factor.enrol', params: { required: true }, result: 'success' })
    return {
      status: 'success',
      message: 'Your second factor is set up. Keep these recovery codes somewhere safe: they are shown only now.',
      errors: {},
      shownOnce: codes,
    }
  } catch (error) {
    if (!(error instanceof FieldErrors || error instanceof OperatorError)) throw error
    await recordAudit({ actor, action: 'user.second-factor.enrol', result: 'refused', error: error.message })
    return { status: 'error', message: error.message, errors: error instanceof FieldErrors ? error.errors : {} }
  }
}

/**
 * After signing in with a one-time password (an administrator's reset): the user's own password, before anything
 * else. The session reaches only /login/new-password until then.
 */
export async function chooseRequiredPassword(_previous: FormState, formData: FormData): Promise<FormState> {
  const state = await sessionState()
  if (state.stage !== 'new-password')
    return { status: 'error', message: 'There is no password to choose: sign in first.', errors: {} }
  const actor = { id: state.user.id, username: state.user.username }
  const parsed = NewPasswordSchema.safeParse(Object.fromEntries(formData))
  if (!parsed.success) {
    const errors = z.flattenError(parsed.error).fieldErrors
    const error = Object.values(errors).flat().join(' ')
    await recordAudit({ actor, action: 'user.password.choose', result: 'refused', error })
    return { status: 'error', message: null, errors }
  }
  try {
    await chooseNewPassword(state.user.id, parsed.data.newPassword)
  } catch (error) {
    if (!(error instanceof FieldErrors)) throw error
    const message = Object.values(error.errors).flat().join(' ')
    await recordAudit({ actor, action: 'user.password.choose', result: 'refused', error: message })
    return { status: 'error', message: null, errors: error.errors }
  }
  await recordAudit({
    actor,
    action: 'user.password.choose',
    params: { after: 'one-time password' },
    result: 'success',
  })
  redirect('/')
}

export async function logout(): Promise<void> {
  const state = await sessionState()
  const user = state.stage === 'none' ? null : state.user
  await destroySession()
  if (user)
    await recordAudit({ actor: { id: user.id, username: user.username }, action: 'auth.logout', result: 'success' })
  redirect('/login')
}
