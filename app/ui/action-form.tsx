'use client'

import { useActionState } from 'react'
import { initialFormState } from '@/lib/actions/form-state'
import type { OneButtonAction } from '@/app/ui/action-button'
import { FormStatus } from '@/app/ui/form-status'
import { HiddenFields } from '@/app/ui/hidden-fields'
import { JobFollower } from '@/app/ui/job-follower'
import { SubmitButton } from '@/app/ui/submit-button'

/**
 * A one-button action whose outcome stays on the page above the button (ActionButton shows it as a toast instead);
 * when the action starts a job, the job is followed live and the button stays off.
 */
export function ActionForm({ action, fields, label, pendingLabel, className = 'btn' }: OneButtonAction) {
  const [state, formAction, pending] = useActionState(action, initialFormState)
  return (
    <form action={formAction} className="space-y-3">
      <HiddenFields fields={fields} />
      {state.jobId ? <JobFollower jobId={state.jobId} /> : <FormStatus state={state} />}
      <SubmitButton className={className} pending={pending} pendingLabel={pendingLabel} disabled={Boolean(state.jobId)}>
        {label}
      </SubmitButton>
    </form>
  )
}
