'use client'

import { useActionState } from 'react'
import { checkHostAction, confirmHostKeyAction, removeHostAction } from '../actions'
import { initialFormState } from '@/lib/actions/form-state'
import { FieldError, FormStatus, fieldProps } from '@/app/ui/form-status'

export function ConfirmKeyForm({ hostId, fingerprint }: { hostId: string; fingerprint: string }) {
  const [state, action, pending] = useActionState(confirmHostKeyAction, initialFormState)
  return (
    <form action={action} className="space-y-2">
      <input type="hidden" name="hostId" value={hostId} />
      <input type="hidden" name="fingerprint" value={fingerprint} />
      <FormStatus state={state} />
      <button className="btn btn-primary" disabled={pending}>
        {pending ? 'Confirming…' : 'Confirm and pin this key'}
      </button>
    </form>
  )
}

export function CheckHostForm({ hostId }: { hostId: string }) {
  const [state, action, pending] = useActionState(checkHostAction, initialFormState)
  return (
    <form action={action} className="space-y-2">
      <input type="hidden" name="hostId" value={hostId} />
      <FormStatus state={state} />
      <button className="btn" disabled={pending}>
        {pending ? 'Checking…' : 'Test connection'}
      </button>
    </form>
  )
}

export function RemoveHostForm({ hostId, hostName }: { hostId: string; hostName: string }) {
  const [state, action, pending] = useActionState(removeHostAction, initialFormState)
  return (
    <form action={action} className="flex flex-wrap items-end gap-3">
      <input type="hidden" name="hostId" value={hostId} />
      <div>
        <label className="label" htmlFor="confirmName">
          Type <span className="code">{hostName}</span> to confirm
        </label>
        <input className="input" autoComplete="off" {...fieldProps(state, 'confirmName')} />
        <FieldError state={state} name="confirmName" />
      </div>
      <button className="btn btn-danger" disabled={pending}>
        Remove host
      </button>
      <div className="w-full">
        <FormStatus state={state} />
      </div>
    </form>
  )
}
