'use client'

import { useActionState } from 'react'
import { undefineNetworkAction } from '../actions'
import { initialFormState } from '@/lib/actions/form-state'
import { FieldError, FormStatus, fieldProps } from '@/app/ui/form-status'

export function UndefineNetworkForm({ hostId, name }: { hostId: string; name: string }) {
  const [state, action, pending] = useActionState(undefineNetworkAction, initialFormState)
  return (
    <form action={action} className="flex flex-wrap items-end gap-3">
      <input type="hidden" name="hostId" value={hostId} />
      <input type="hidden" name="name" value={name} />
      <div>
        <label className="label" htmlFor="confirmName">
          Type <span className="code">{name}</span> to confirm
        </label>
        <input className="input" autoComplete="off" {...fieldProps(state, 'confirmName')} />
        <FieldError state={state} name="confirmName" />
      </div>
      <button className="btn btn-danger" disabled={pending}>
        Undefine network
      </button>
      <div className="w-full">
        <FormStatus state={state} />
      </div>
    </form>
  )
}
