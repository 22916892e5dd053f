import type { FormState } from '@/lib/actions/form-state'

const noticeTone = {
  error: 'border border-red-200 dark:border-red-800 bg-red-50 dark:bg-red-950 text-red-800 dark:text-red-300',
  success:
    'border border-emerald-200 dark:border-emerald-800 bg-emerald-50 dark:bg-emerald-950 text-emerald-800 dark:text-emerald-300',
} as const

/** A boxed message: errors are alerts (read out at once), successes a polite status. */
export function Notice({
  tone,
  id,
  children,
}: {
  tone: keyof typeof noticeTone
  id?: string
  children: React.ReactNode
}) {
  return (
    <p
      id={id}
      role={tone === 'error' ? 'alert' : 'status'}
      className={`rounded-md px-3 py-2 text-sm ${noticeTone[tone]}`}
    >
      {children}
    </p>
  )
}

/** The form-level message of an action's result. */
export function FormStatus({ state, id }: { state: FormState; id?: string }) {
  if (!state.message) return null
  return (
    <Notice tone={state.status === 'error' ? 'error' : 'success'} id={id}>
      {state.message}
    </Notice>
  )
}

/** A field's errors, linked to the input through aria-describedby. */
export function FieldError({ state, name }: { state: FormState; name: string }) {
  const messages = state.errors[name]
  if (!messages?.length) return null
  return (
    <div id={`${name}-error`} aria-live="polite" className="mt-1 text-sm text-red-700 dark:text-red-300">
      {messages.map((message) => (
        <p key={message}>{message}</p>
      ))}
    </div>
  )
}

/**
 * The outcome of a one-row form, on a line of its own below the row: the errors of the fields named (a row's fields
 * leave theirs out, inlineError={false}) and then the form's message.
 */
export function RowStatus({ state, fields = [] }: { state: FormState; fields?: string[] }) {
  return (
    <div className="w-full">
      {fields.map((name) => (
        <FieldError key={name} state={state} name={name} />
      ))}
      <FormStatus state={state} />
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
