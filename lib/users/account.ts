import 'server-only'
import { changePassword } from '@/lib/auth/account'
import { forgetFirstAdminPassword } from '@/lib/users/first-admin'

/** A user changes their own password; for the first admin, the generated password's file goes too. */
export async function changeOwnPassword(userId: string, currentPassword: string, newPassword: string) {
  const user = await changePassword(userId, currentPassword, newPassword)
  forgetFirstAdminPassword(user.username)
}
