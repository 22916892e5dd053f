'use server'

import { fromForm, runAction } from '@/lib/actions/run-action'
import type { FormState } from '@/lib/actions/form-state'
import { ChangePasswordSchema } from '@/lib/auth/account'
import { changeOwnPassword } from '@/lib/users/account'
import { revalidatePath } from 'next/cache'
import { createApiToken, CreateTokenSchema, revokeApiToken, TokenRefSchema } from '@/lib/auth/api-tokens'
import { SecondFactorCodeSchema, StartEnrolmentSchema } from '@/lib/users/schemas'
import { confirmEnrolment, startEnrolment } from '@/lib/users/second-factor'

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

export async function startSecondFactorAction(_previous: FormState, formData: FormData): Promise<FormState> {
  return runAction(
    fromForm(formData, 'user.second-factor.start', 'ownAccount', StartEnrolmentSchema),
    async ({ user }) => {
      await startEnrolment(user.id)
      revalidatePath('/account')
      return 'Scan the QR code with your authenticator app, then type the code it shows.'
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

export async function confirmSecondFactorAction(_previous: FormState, formData: FormData): Promise<FormState> {
  return runAction(
    fromForm(formData, 'user.second-factor.enrol', 'ownAccount', SecondFactorCodeSchema),
    async ({ data, user }) => ({
      message: 'Your second factor is set up. Keep these recovery codes somewhere safe: they are shown only now.',
      shownOnce: await confirmEnrolment(user.id, data.token),
    }),
  )
}
