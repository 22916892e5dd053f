'use client'

import { useActionState, useEffect, useRef, useState } from 'react'
import { createPortal } from 'react-dom'
import { initialFormState, type FormState } from '@/lib/actions/form-state'
import { HiddenFields } from '@/app/ui/hidden-fields'
import { ConfirmDialog, type Confirmation } from '@/app/ui/confirm-dialog'
import { toastStackId } from '@/app/ui/toast-stack'

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
 * until dismissed, successes fade after a few seconds. A destructive one passes `confirm`: the button then opens the
 * confirmation dialog naming the consequences, and only its confirm button posts the form.
 */
export function ActionButton({
  action,
  fields,
  label,
  pendingLabel,
  confirm,
  className = 'btn btn-sm',
}: OneButtonAction & {
  /** asked before a destructive or disruptive action */
  confirm?: Confirmation
}) {
  const [state, formAction, pending] = useActionState(action, initialFormState)
  const form = useRef<HTMLFormElement>(null)
  const button = (
    <button type={confirm ? 'button' : 'submit'} className={className} disabled={pending}>
      {pending ? (pendingLabel ?? `${label}…`) : label}
    </button>
  )
  return (
    <form ref={form} action={formAction} className="inline">
      <HiddenFields fields={fields} />
      {confirm ? (
        <ConfirmDialog
          confirmation={confirm}
          trigger={button}
          fallbackLabel={label}
          onConfirm={() => form.current?.requestSubmit()}
        />
      ) : (
        button
      )}
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
  const toast = (
    <div
      role={error ? 'alert' : 'status'}
      className={`pointer-events-auto flex max-w-md items-start gap-3 rounded-lg px-4 py-3 text-sm shadow-lg ${error ? 'bg-red-700 text-white' : 'bg-slate-900 text-white'}`}
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
  // A toast only has a message after an action ran in the browser, so the stack is always there to be found.
  const stack = document.getElementById(toastStackId)
  return stack ? createPortal(toast, stack) : toast
}
