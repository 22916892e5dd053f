'use client'

import { useActionState } from 'react'
import { changePasswordAction } from './actions'
import { initialFormState } from '@/lib/actions/form-state'
import { FieldError, FormStatus, fieldProps } from '@/app/ui/form-status'

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
        <div key={name}>
          <label className="label" htmlFor={name}>
            {label}
          </label>
          <input className="input" type="password" autoComplete={autoComplete} {...fieldProps(state, name)} />
          <FieldError state={state} name={name} />
        </div>
      ))}
      <FormStatus state={state} />
      <button className="btn btn-primary" disabled={pending}>
        Change password
      </button>
    </form>
  )
}
