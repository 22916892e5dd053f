'use server'

import { headers } from 'next/headers'
import { redirect } from 'next/navigation'
import { z } from 'zod'
import { db } from '@/lib/db/client'
import { verifyPassword } from '@/lib/auth/password'
import { createSession, currentUser, destroySession } from '@/lib/auth/session'
import { loginRetryAfter, recordLoginAttempt } from '@/lib/auth/rate-limit'
import { recordAudit } from '@/lib/audit/record'
import type { FormState } from '@/lib/actions/form-state'

const LoginSchema = z.object({
  username: z.string().trim().min(1, 'Enter your user name.').max(100),
  password: z.string().min(1, 'Enter your password.').max(1000),
})

async function clientIp() {
  const forwarded = (await headers()).get('x-forwarded-for')
  return forwarded?.split(',')[0]?.trim() || 'local'
}

export async function login(_previous: FormState, formData: FormData): Promise<FormState> {
  const parsed = LoginSchema.safeParse(Object.fromEntries(formData))
  if (!parsed.success) {
    return { status: 'error', message: null, errors: z.flattenError(parsed.error).fieldErrors }
  }
  const { username, password } = parsed.data
  const ip = await clientIp()
  const retryAfter = await loginRetryAfter(username, ip)
  if (retryAfter > 0) {
    await recordAudit({
      actor: { id: null, username },
      action: 'auth.login',
      params: { username, clientIp: ip },
      result: 'refused',
      error: 'Too many failed attempts',
    })
    return {
      status: 'error',
      message: `Too many failed attempts. Try again in ${Math.ceil(retryAfter / 60)} minute(s).`,
      errors: {},
      values: { username },
    }
  }
  const user = await db.user.findUnique({ where: { username } })
  // Verify against a dummy hash when the user does not exist, so timing does not reveal valid user names.
  const valid = await verifyPassword(
    password,
    user?.passwordHash ?? 'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=',
  )
  await recordLoginAttempt(username, ip, Boolean(user && valid && !user.disabledAt))
  if (!user || !valid || user.disabledAt) {
    await recordAudit({
      actor: { id: user?.id ?? null, username },
      action: 'auth.login',
      params: { username, clientIp: ip },
      result: 'refused',
      error: 'Wrong user name or password',
    })
    return { status: 'error', message: 'Wrong user name or password.', errors: {}, values: { username } }
  }
  await createSession(user.id)
  await recordAudit({
    actor: { id: user.id, username },
    action: 'auth.login',
    params: { username, clientIp: ip },
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
