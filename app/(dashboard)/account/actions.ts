'use server'

import { fromForm, runAction } from '@/lib/actions/run-action'
import type { FormState } from '@/lib/actions/form-state'
import { ChangePasswordSchema } from '@/lib/auth/account'
import { changeOwnPassword } from '@/lib/users/account'
import { revalidatePath } from 'next/cache'
import { createApiToken, CreateTokenSchema, revokeApiToken, TokenRefSchema } from '@/lib/auth/api-tokens'

export async function changePasswordAction(_previous: FormState, formData: FormData): Promise<FormState> {
  return runAction(
    fromForm(formData, 'user.change-password', 'ownAccount', ChangePasswordSchema),
    async ({ data, user }) => {
      await changeOwnPassword(user.id, data.currentPassword, data.newPassword)
      return 'Your password is changed.'
    },
  )
}

export async function createTokenAction(_previous: FormState, formData: FormData): Promise<FormState> {
  return runAction(
    fromForm(formData, 'token.create', 'ownAccount', CreateTokenSchema, (d) => d.name),
    async ({ data, user }) => {
      const { token, secret } = await createApiToken(user, data)
      revalidatePath('/account')
      return `Created the ${token.scope === 'write' ? 'read-write' : 'read-only'} token "${token.name}". Copy it now; it is not shown again: ${secret}`
    },
  )
}

export async function revokeTokenAction(_previous: FormState, formData: FormData): Promise<FormState> {
  return runAction(
    fromForm(formData, 'token.revoke', 'ownAccount', TokenRefSchema, (d) => d.tokenId),
    async ({ data, user }) => {
      const token = await revokeApiToken(data.tokenId, user.id)
      revalidatePath('/account')
      return `Revoked the token "${token.name}".`
    },
  )
}
