'use client'

import { useActionState } from 'react'
import { initialFormState } from '@/lib/actions/form-state'
import { FormStatus } from '@/app/ui/form-status'
import { TextField } from '@/app/ui/text-field'
import { SelectField } from '@/app/ui/select-field'
import { SubmitButton } from '@/app/ui/submit-button'
import { createTokenAction } from './actions'

const scopes = [
  { value: 'read', label: 'Read-only' },
  { value: 'write', label: 'Read-write' },
]

/** Creates a personal access token; the secret appears once, in the answer, to be copied. */
export function CreateTokenForm() {
  const [state, action, pending] = useActionState(createTokenAction, initialFormState)
  const secret = state.status === 'success' ? /vn_[A-Za-z0-9_-]+/.exec(state.message ?? '')?.[0] : undefined
  return (
    <form action={action} className="max-w-sm space-y-3" noValidate>
      <TextField state={state} name="name" label="Name" autoComplete="off" />
      <SelectField state={state} name="scope" label="Scope" options={scopes} />
      <TextField
        state={state}
        name="expiresInDays"
        label="Expires after (days)"
        inputMode="numeric"
        defaultValue="90"
      />
      <FormStatus state={state} />
      {secret && (
        <p className="text-sm">
          Token: <code data-testid="new-token">{secret}</code>
        </p>
      )}
      <SubmitButton pending={pending}>Create token</SubmitButton>
    </form>
  )
}
