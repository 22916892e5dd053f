'use client'

import { useActionState } from 'react'
import { login } from '@/app/login/actions'
import { initialFormState } from '@/lib/actions/form-state'
import { FormStatus } from '@/app/ui/form-status'
import { TextField } from '@/app/ui/text-field'
import { SubmitButton } from '@/app/ui/submit-button'

export function LoginForm() {
  const [state, action, pending] = useActionState(login, initialFormState)
  return (
    <form action={action} className="space-y-4" noValidate>
      <TextField state={state} name="username" label="User name" autoComplete="username" autoFocus />
      <TextField state={state} name="password" label="Password" type="password" autoComplete="current-password" />
      <FormStatus state={state} />
      <SubmitButton className="btn btn-primary w-full justify-center" pending={pending} pendingLabel="Signing in…">
        Sign in
      </SubmitButton>
    </form>
  )
}
