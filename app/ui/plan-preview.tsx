import type { FormState } from '@/lib/actions/form-state'
import { FormStatus } from '@/app/ui/form-status'
import { SubmitButton } from '@/app/ui/submit-button'

/**
 * A form's second submit button: the action builds its plan as usual and returns it instead of running it
 * (lib/plan/dry-run.ts), so the operator reads the exact host commands before anything changes.
 */
export function PreviewButton({ pending, disabled }: { pending: boolean; disabled?: boolean }) {
  return (
    <button type="submit" name="dryRun" value="1" className="btn" disabled={pending || disabled}>
      Preview
    </button>
  )
}

type FormAction = (previous: FormState, formData: FormData) => Promise<FormState>

/**
 * The same action as a dry run, for a form that keeps its preview apart from the run (a useActionState of its own,
 * on a button's formAction). React leaves a formAction button's name and value out of the form data, so the
 * PreviewButton's dryRun=1 cannot ride along; it is added here instead.
 */
export function dryRunOf(action: FormAction): FormAction {
  return (previous, formData) => {
    formData.set('dryRun', '1')
    return action(previous, formData)
  }
}

/** The dry run's steps: label, exact command, what it writes on stdin, and how it is undone. */
export function PlanPreview({ state }: { state: FormState }) {
  if (state.status !== 'preview' || !state.plan) return null
  if (!state.plan.length)
    return <p className="text-sm text-slate-600 dark:text-slate-300">Nothing to change: the host already matches.</p>
  return (
    <ol aria-label="Planned steps" className="space-y-2 text-sm">
      {state.plan.map((step, index) => (
        <li
          key={`${index}-${step.command}`}
          className="rounded-md border border-slate-200 dark:border-slate-700 bg-slate-50 dark:bg-slate-800 p-2"
        >
          <p className="font-medium">
            {index + 1}. {step.label}
          </p>
          <pre className="mt-1 whitespace-pre-wrap break-all font-mono text-xs">{step.command}</pre>
          {step.input !== undefined && (
            <details className="mt-1">
              <summary className="cursor-pointer text-xs text-slate-600 dark:text-slate-300">
                What it writes (stdin)
              </summary>
              <pre className="mt-1 max-h-64 overflow-auto whitespace-pre-wrap break-all font-mono text-xs">
                {step.input}
              </pre>
            </details>
          )}
          <p className="mt-1 text-xs text-slate-600 dark:text-slate-300">
            {step.undo ? (
              <>
                Undone on a later failure by: <code className="break-all">{step.undo}</code>
              </>
            ) : (
              'No undo: a later failure leaves this step in place and says so.'
            )}
          </p>
        </li>
      ))}
    </ol>
  )
}

/** The end of a form that changes a host: its status, the previewed plan, and Preview beside the submit button. */
export function PlanFormActions({
  state,
  pending,
  pendingLabel,
  disabled,
  children,
}: {
  state: FormState
  pending: boolean
  pendingLabel: string
  disabled?: boolean
  children: React.ReactNode
}) {
  return (
    <>
      <FormStatus state={state} />
      <PlanPreview state={state} />
      <div className="flex gap-2">
        <PreviewButton pending={pending} disabled={disabled} />
        <SubmitButton pending={pending} pendingLabel={pendingLabel} disabled={disabled}>
          {children}
        </SubmitButton>
      </div>
    </>
  )
}
