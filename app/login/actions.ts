'use server'

import { redirect } from 'next/navigation'
import { z } from 'zod'
import { createSession, currentUser, destroySession } from '@/lib/auth/session'
import { requestClient } from '@/lib/auth/client'
import { checkLogin, retryAfterText } from '@/lib/auth/login'
import { recordAudit } from '@/lib/audit/record'
import { recordSignedOutRefusal } from '@/lib/audit/refusals'
import type { FormState } from '@/lib/actions/form-state'

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
  await createSession(check.user.id)
  await recordAudit({
    actor: { id: check.user.id, username },
    action: 'auth.login',
    params: { username, clientIp },
    result: 'success',
  })
  redirect('/')
}

export async function logout(): Promise<void> {
  const user = await currentUser()
  await destroySession()
  if (user)
    await recordAudit({ actor: { id: user.id, username: user.username }, action: 'auth.logout', result: 'success' })
  redirect('/login')
}
