'use client'

import { useActionState } from 'react'
import { initialFormState, type FormState } from '@/lib/actions/form-state'
import { RowStatus } from '@/app/ui/form-status'
import { TextField } from '@/app/ui/text-field'
import { HiddenFields } from '@/app/ui/hidden-fields'

type Action = (previous: FormState, formData: FormData) => Promise<FormState>

/** A destructive action that asks the operator to type the object's name first. */
export function ConfirmByNameForm({
  action,
  fields,
  expected,
  button,
}: {
  action: Action
  fields: Record<string, string>
  expected: string
  button: string
}) {
  const [state, formAction, pending] = useActionState(action, initialFormState)
  return (
    <form action={formAction} className="flex flex-wrap items-end gap-3">
      <HiddenFields fields={fields} />
      <TextField
        state={state}
        name="confirmName"
        autoComplete="off"
        label={
          <>
            Type <span className="code">{expected}</span> to confirm
          </>
        }
      />
      <button className="btn btn-danger" disabled={pending}>
        {button}
      </button>
      <RowStatus state={state} />
    </form>
  )
}
