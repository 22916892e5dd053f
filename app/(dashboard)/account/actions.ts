'use server'

import { runAction } from '@/lib/actions/run-action'
import type { FormState } from '@/lib/actions/form-state'
import { ChangePasswordSchema, changePassword } from '@/lib/auth/account'

export async function changePasswordAction(_previous: FormState, formData: FormData): Promise<FormState> {
  return runAction(
    { action: 'user.change-password', permission: 'ownAccount', schema: ChangePasswordSchema, input: formData },
    async ({ data, user }) => {
      await changePassword(user.id, data.currentPassword, data.newPassword)
      return 'Your password is changed.'
    },
  )
}
