'use client'

import { useActionState, useRef } from 'react'
import { initialFormState } from '@/lib/actions/form-state'
import type { OneButtonAction } from '@/app/ui/action-button'
import { ConfirmDialog, type Confirmation } from '@/app/ui/confirm-dialog'
import { FormStatus } from '@/app/ui/form-status'
import { HiddenFields } from '@/app/ui/hidden-fields'
import { JobFollower } from '@/app/ui/job-follower'
import { SubmitButton } from '@/app/ui/submit-button'

/**
 * A one-button action whose outcome stays on the page above the button (ActionButton shows it as a toast instead);
 * when the action starts a job, the job is followed live and the button stays off. With `confirm` the button opens
 * the confirmation dialog first.
 */
export function ActionForm({
  action,
  fields,
  label,
  pendingLabel,
  className = 'btn',
  confirm,
}: OneButtonAction & { confirm?: Confirmation }) {
  const [state, formAction, pending] = useActionState(action, initialFormState)
  const form = useRef<HTMLFormElement>(null)
  const button = (
    <SubmitButton
      type={confirm ? 'button' : 'submit'}
      className={className}
      pending={pending}
      pendingLabel={pendingLabel}
      disabled={Boolean(state.jobId)}
    >
      {label}
    </SubmitButton>
  )
  return (
    <form ref={form} action={formAction} className="space-y-3">
      <HiddenFields fields={fields} />
      {state.jobId ? <JobFollower jobId={state.jobId} /> : <FormStatus state={state} />}
      {confirm ? (
        <div>
          <ConfirmDialog
            confirmation={confirm}
            trigger={button}
            fallbackLabel={label}
            onConfirm={() => form.current?.requestSubmit()}
          />
        </div>
      ) : (
        button
      )}
    </form>
  )
}
