import 'server-only'
import { z } from 'zod'
import { db } from '@/lib/db/client'
import { hashPassword, verifyPassword } from '@/lib/auth/password'
import { createSession, endSessionsOf } from '@/lib/auth/session'
import { FieldErrors } from '@/lib/core/errors'

const newPasswordFields = {
  newPassword: z.string().min(12, 'Use at least 12 characters.').max(1000, 'Use at most 1000 characters.'),
  repeatPassword: z.string(),
}
const samePasswordTwice: [
  (value: { newPassword: string; repeatPassword: string }) => boolean,
  z.core.$ZodCustomParams,
] = [
  (value) => value.newPassword === value.repeatPassword,
  { path: ['repeatPassword'], message: 'The two new passwords differ.' },
]

export const ChangePasswordSchema = z
  .object({ currentPassword: z.string().min(1, 'Enter your current password.').max(1000), ...newPasswordFields })
  .refine(...samePasswordTwice)

/** The password a user chooses after signing in with a one-time one (no current password: they just typed it). */
export const NewPasswordSchema = z.object(newPasswordFields).refine(...samePasswordTwice)

export async function changePassword(userId: string, currentPassword: string, newPassword: string) {
  const user = await db.user.findUniqueOrThrow({ where: { id: userId } })
  if (!(await verifyPassword(currentPassword, user.passwordHash)))
    throw new FieldErrors({ currentPassword: ['That is not your current password.'] })
  await replacePassword(userId, newPassword)
  return user
}

/**
 * The user signed in with a one-time password (an administrator's reset) and chooses their own; the one-time one may
 * not be kept. Callers check that the session is in the 'new-password' stage.
 */
export async function chooseNewPassword(userId: string, newPassword: string) {
  const user = await db.user.findUniqueOrThrow({ where: { id: userId } })
  if (await verifyPassword(newPassword, user.passwordHash))
    throw new FieldErrors({ newPassword: ['Choose a password of your own, not the one you were given.'] })
  await replacePassword(userId, newPassword)
  return user
}

async function replacePassword(userId: string, newPassword: string) {
  await db.user.update({
    where: { id: userId },
    data: { passwordHash: await hashPassword(newPassword), passwordMustChange: false },
  })
  // Whoever held a session with the old password is out; this browser signs in afresh with a new token.
  await endSessionsOf(userId)
  await createSession(userId)
}
