'use client'

import { useActionState } from 'react'
import { initialFormState } from '@/lib/actions/form-state'
import { FormStatus } from '@/app/ui/form-status'
import { TextField } from '@/app/ui/text-field'
import { SubmitButton } from '@/app/ui/submit-button'
import { changePasswordAction } from './actions'

const fields = [
  ['currentPassword', 'Current password', 'current-password'],
  ['newPassword', 'New password (12 characters or more)', 'new-password'],
  ['repeatPassword', 'New password again', 'new-password'],
] as const

export function PasswordForm() {
  const [state, action, pending] = useActionState(changePasswordAction, initialFormState)
  return (
    <form action={action} className="max-w-sm space-y-3" noValidate>
      {fields.map(([name, label, autoComplete]) => (
        <TextField key={name} state={state} name={name} label={label} type="password" autoComplete={autoComplete} />
      ))}
      <FormStatus state={state} />
      <SubmitButton pending={pending}>Change password</SubmitButton>
    </form>
  )
}
