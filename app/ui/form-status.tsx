import type { FormState } from '@/lib/actions/form-state'

/** The form-level message: an alert for errors (read out at once), a polite status for success. */
export function FormStatus({ state, id }: { state: FormState; id?: string }) {
  if (!state.message) return null
  const error = state.status === 'error'
  return (
    <p
      id={id}
      role={error ? 'alert' : 'status'}
      className={`rounded-md px-3 py-2 text-sm ${error ? 'border border-red-200 bg-red-50 text-red-800' : 'border border-emerald-200 bg-emerald-50 text-emerald-800'}`}
    >
      {state.message}
    </p>
  )
}

/** A field's errors, linked to the input through aria-describedby. */
export function FieldError({ state, name }: { state: FormState; name: string }) {
  const messages = state.errors[name]
  if (!messages?.length) return null
  return (
    <div id={`${name}-error`} aria-live="polite" className="mt-1 text-sm text-red-700">
      {messages.map((message) => (
        <p key={message}>{message}</p>
      ))}
    </div>
  )
}

/** name/id, error wiring, and the submitted value after a refusal (React resets a form after its action runs). */
export function fieldProps(state: FormState, name: string, fallback?: string) {
  const invalid = Boolean(state.errors[name]?.length)
  return {
    name,
    id: name,
    defaultValue: state.values?.[name] ?? fallback,
    'aria-invalid': invalid,
    'aria-describedby': invalid ? `${name}-error` : undefined,
  }
}
