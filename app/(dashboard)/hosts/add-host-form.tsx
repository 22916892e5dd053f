'use client'

import { useActionState } from 'react'
import { initialFormState } from '@/lib/actions/form-state'
import { FormStatus } from '@/app/ui/form-status'
import { TextField } from '@/app/ui/text-field'
import { SubmitButton } from '@/app/ui/submit-button'
import { addHostAction } from './actions'

export function AddHostForm() {
  const [state, action, pending] = useActionState(addHostAction, initialFormState)
  return (
    <form action={action} className="space-y-3" noValidate>
      <div className="grid grid-cols-2 gap-3">
        <TextField state={state} name="name" label="Name" placeholder="kvm-01" />
        <TextField state={state} name="address" label="Address" placeholder="10.0.0.5 or kvm-01.example.net" />
        <TextField state={state} name="port" label="SSH port" inputMode="numeric" defaultValue="22" />
        <TextField state={state} name="username" label="SSH user" defaultValue="root" />
      </div>
      <label className="flex items-center gap-2 text-sm">
        <input type="checkbox" name="useSudo" /> Run commands with <span className="code">sudo -n</span> (for a non-root
        user)
      </label>
      <FormStatus state={state} />
      <SubmitButton pending={pending} pendingLabel="Contacting host…">
        Add host
      </SubmitButton>
    </form>
  )
}
