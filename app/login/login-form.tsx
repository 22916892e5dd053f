'use client'

import { useActionState } from 'react'
import { login } from '@/app/login/actions'
import { initialFormState } from '@/lib/actions/form-state'
import { FieldError, FormStatus, fieldProps } from '@/app/ui/form-status'

export function LoginForm() {
  const [state, action, pending] = useActionState(login, initialFormState)
  return (
    <form action={action} className="space-y-4" noValidate>
      <div>
        <label className="label" htmlFor="username">
          User name
        </label>
        <input className="input" autoComplete="username" autoFocus {...fieldProps(state, 'username')} />
        <FieldError state={state} name="username" />
      </div>
      <div>
        <label className="label" htmlFor="password">
          Password
        </label>
        <input className="input" type="password" autoComplete="current-password" {...fieldProps(state, 'password')} />
        <FieldError state={state} name="password" />
      </div>
      <FormStatus state={state} />
      <button className="btn btn-primary w-full justify-center" disabled={pending}>
        {pending ? 'Signing in…' : 'Sign in'}
      </button>
    </form>
  )
}
