'use client'

import { useActionState } from 'react'
import { logout, verifySecondFactor } from '@/app/login/actions'
import { initialFormState } from '@/lib/actions/form-state'
import { FormStatus } from '@/app/ui/form-status'
import { TextField } from '@/app/ui/text-field'
import { SubmitButton } from '@/app/ui/submit-button'

export function SecondFactorForm({ username }: { username: string }) {
  const [state, action, pending] = useActionState(verifySecondFactor, initialFormState)
  return (
    <div className="space-y-4">
      <p className="text-sm">
        Password accepted for <strong>{username}</strong>. Type the code your authenticator app shows, or one of your
        recovery codes.
      </p>
      <form action={action} className="space-y-4" noValidate>
        <TextField
          state={state}
          name="token"
          label="Code"
          autoComplete="one-time-code"
          inputMode="text"
          autoFocus
          inputClassName="font-mono"
        />
        <FormStatus state={state} />
        <SubmitButton className="btn btn-primary w-full justify-center" pending={pending} pendingLabel="Checking…">
          Continue
        </SubmitButton>
      </form>
      <form action={logout}>
        <button className="text-xs text-slate-600 dark:text-slate-300 underline">Cancel and start over</button>
      </form>
    </div>
  )
}
