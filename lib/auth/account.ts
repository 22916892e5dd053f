import 'server-only'
import { z } from 'zod'
import { db } from '@/lib/db/client'
import { hashPassword, verifyPassword } from '@/lib/auth/password'
import { createSession, endSessionsOf } from '@/lib/auth/session'
import { FieldErrors } from '@/lib/core/errors'

export const ChangePasswordSchema = z
  .object({
    currentPassword: z.string().min(1, 'Enter your current password.').max(1000),
    newPassword: z.string().min(12, 'Use at least 12 characters.').max(1000, 'Use at most 1000 characters.'),
    repeatPassword: z.string(),
  })
  .refine((value) => value.newPassword === value.repeatPassword, {
    path: ['repeatPassword'],
    message: 'The two new passwords differ.',
  })

export async function changePassword(userId: string, currentPassword: string, newPassword: string) {
  const user = await db.user.findUniqueOrThrow({ where: { id: userId } })
  if (!(await verifyPassword(currentPassword, user.passwordHash)))
    throw new FieldErrors({ currentPassword: ['That is not your current password.'] })
  await db.user.update({ where: { id: userId }, data: { passwordHash: await hashPassword(newPassword) } })
  // Whoever held a session with the old password is out; this browser signs in afresh with a new token.
  await endSessionsOf(userId)
  await createSession(userId)
  return user
}
