'use server'

import { fromForm, runAction } from '@/lib/actions/run-action'
import type { FormState } from '@/lib/actions/form-state'
import { ChangePasswordSchema } from '@/lib/auth/account'
import { changeOwnPassword } from '@/lib/users/account'

export async function changePasswordAction(_previous: FormState, formData: FormData): Promise<FormState> {
  return runAction(
    fromForm(formData, 'user.change-password', 'ownAccount', ChangePasswordSchema),
    async ({ data, user }) => {
      await changeOwnPassword(user.id, data.currentPassword, data.newPassword)
      return 'Your password is changed.'
    },
  )
}
