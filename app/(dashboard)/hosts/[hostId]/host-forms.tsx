'use client'

import { useActionState } from 'react'
import { checkHostAction, confirmHostKeyAction } from '../actions'
import { initialFormState } from '@/lib/actions/form-state'
import { FormStatus } from '@/app/ui/form-status'

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
