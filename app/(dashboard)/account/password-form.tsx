'use client'

import { useActionState } from 'react'
import { initialFormState, type FormState } from '@/lib/actions/form-state'
import { FormStatus } from '@/app/ui/form-status'
import { TextField } from '@/app/ui/text-field'
import { SubmitButton } from '@/app/ui/submit-button'
import { changePasswordAction } from './actions'

const newPasswordFields = [
  ['newPassword', 'New password (12 characters or more)', 'new-password'],
  ['repeatPassword', 'New password again', 'new-password'],
] as const

/**
 * A new password typed twice; with `askCurrent`, the current one first. The Account page changes a password with it,
 * and the sign-in asks for one after a one-time password (app/login/new-password).
 */
export function PasswordForm({
  action = changePasswordAction,
  askCurrent = true,
  submitLabel = 'Change password',
}: {
  action?: (previous: FormState, formData: FormData) => Promise<FormState>
  askCurrent?: boolean
  submitLabel?: string
}) {
  const [state, formAction, pending] = useActionState(action, initialFormState)
  const fields = askCurrent
    ? [['currentPassword', 'Current password', 'current-password'] as const, ...newPasswordFields]
    : newPasswordFields
  return (
    <form action={formAction} className="max-w-sm space-y-3" noValidate>
      {fields.map(([name, label, autoComplete]) => (
        <TextField key={name} state={state} name={name} label={label} type="password" autoComplete={autoComplete} />
      ))}
      <FormStatus state={state} />
      <SubmitButton pending={pending}>{submitLabel}</SubmitButton>
    </form>
  )
}
