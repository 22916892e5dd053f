'use client'

import { useActionState, useEffect, useState } from 'react'
import { initialFormState, type FormState } from '@/lib/actions/form-state'
import { HiddenFields } from '@/app/ui/hidden-fields'

type Action = (previous: FormState, formData: FormData) => Promise<FormState>

/** A one-button action: the server action, the hidden fields it posts, the button's label and classes. */
export type OneButtonAction = {
  action: Action
  fields: Record<string, string>
  label: string
  /** the label while the action runs */
  pendingLabel?: string
  className?: string
}

/**
 * A one-click action (start, stop, toggle) posted with hidden fields. Its outcome appears as a toast: errors stay
 * until dismissed, successes fade after a few seconds.
 */
export function ActionButton({
  action,
  fields,
  label,
  pendingLabel,
  confirm,
  className = 'btn btn-sm',
}: OneButtonAction & {
  /** asked before a disruptive action (stopping a network guests use) */
  confirm?: string
}) {
  const [state, formAction, pending] = useActionState(action, initialFormState)
  return (
    <form
      action={formAction}
      className="inline"
      onSubmit={(event) => confirm && !window.confirm(confirm) && event.preventDefault()}
    >
      <HiddenFields fields={fields} />
      <button className={className} disabled={pending}>
        {pending ? (pendingLabel ?? `${label}…`) : label}
      </button>
      <Toast state={state} />
    </form>
  )
}

export function Toast({ state }: { state: FormState }) {
  const [dismissed, setDismissed] = useState<FormState | null>(null)
  useEffect(() => {
    if (state.status !== 'success') return
    const timer = setTimeout(() => setDismissed(state), 5000)
    return () => clearTimeout(timer)
  }, [state])
  if (!state.message || dismissed === state) return null
  const error = state.status === 'error'
  return (
    <div
      role={error ? 'alert' : 'status'}
      className={`fixed right-4 bottom-4 z-50 flex max-w-md items-start gap-3 rounded-lg px-4 py-3 text-sm shadow-lg ${error ? 'bg-red-700 text-white' : 'bg-slate-900 text-white'}`}
    >
      <p className="whitespace-normal text-left">{state.message}</p>
      <button
        type="button"
        aria-label="Dismiss"
        className="text-white/70 hover:text-white"
        onClick={() => setDismissed(state)}
      >
        ×
      </button>
    </div>
  )
}
