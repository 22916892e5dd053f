'use client'

import { useActionState } from 'react'
import { addHostAction } from './actions'
import { initialFormState } from '@/lib/actions/form-state'
import { FieldError, FormStatus, fieldProps } from '@/app/ui/form-status'

export function AddHostForm() {
  const [state, action, pending] = useActionState(addHostAction, initialFormState)
  return (
    <form action={action} className="space-y-3" noValidate>
      <div className="grid grid-cols-2 gap-3">
        <div>
          <label className="label" htmlFor="name">
            Name
          </label>
          <input className="input" placeholder="kvm-01" {...fieldProps(state, 'name')} />
          <FieldError state={state} name="name" />
        </div>
        <div>
          <label className="label" htmlFor="address">
            Address
          </label>
          <input className="input" placeholder="10.0.0.5 or kvm-01.example.net" {...fieldProps(state, 'address')} />
          <FieldError state={state} name="address" />
        </div>
        <div>
          <label className="label" htmlFor="port">
            SSH port
          </label>
          <input className="input" inputMode="numeric" {...fieldProps(state, 'port', '22')} />
          <FieldError state={state} name="port" />
        </div>
        <div>
          <label className="label" htmlFor="username">
            SSH user
          </label>
          <input className="input" {...fieldProps(state, 'username', 'root')} />
          <FieldError state={state} name="username" />
        </div>
      </div>
      <label className="flex items-center gap-2 text-sm">
        <input type="checkbox" name="useSudo" /> Run commands with <span className="code">sudo -n</span> (for a non-root user)
      </label>
      <FormStatus state={state} />
      <button className="btn btn-primary" disabled={pending}>
        {pending ? 'Contacting host…' : 'Add host'}
      </button>
    </form>
  )
}
