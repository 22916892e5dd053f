'use client'

import { useActionState, useState } from 'react'
import Link from 'next/link'
import { initialFormState, type FormState } from '@/lib/actions/form-state'
import type { JobRecovery } from '@/lib/jobs/recovery'
import { JobFollower } from '@/app/ui/job-follower'
import { PlanFormActions } from '@/app/ui/plan-preview'
import { resumeInterruptedJobAction, undoInterruptedJobAction } from './actions'

const choiceLabel = { undo: 'Undo finished steps', resume: 'Resume' } as const

function RecoveryForm({
  jobId,
  state,
  action,
  pending,
  heading,
  note,
  steps,
  label,
  pendingLabel,
  disabled,
}: {
  jobId: string
  state: FormState
  action: (formData: FormData) => void
  pending: boolean
  heading: string
  note?: string | null
  steps: string[]
  label: string
  pendingLabel: string
  disabled: boolean
}) {
  return (
    <form action={action} className="space-y-2" aria-label={label}>
      <input type="hidden" name="jobId" value={jobId} />
      <h3 className="font-medium">{heading}</h3>
      {note && <p className="text-sm text-amber-800 dark:text-amber-300">{note}</p>}
      {steps.length ? (
        <ol className="ml-5 list-decimal text-sm text-slate-700 dark:text-slate-300">
          {steps.map((step, index) => (
            <li key={`${index}-${step}`}>{step}</li>
          ))}
        </ol>
      ) : (
        <p className="text-sm text-slate-600 dark:text-slate-300">Nothing to run.</p>
      )}
      {state.jobId ? (
        <JobFollower jobId={state.jobId} />
      ) : (
        <PlanFormActions
          state={state}
          pending={pending}
          pendingLabel={pendingLabel}
          disabled={disabled || steps.length === 0}
        >
          {label}
        </PlanFormActions>
      )}
    </form>
  )
}

/**
 * What an operator may do with a job that a restart of the dashboard cut short: undo its finished steps or resume the
 * rest, each previewed first, either one once.
 */
export function RecoveryForms({ jobId, recovery }: { jobId: string; recovery: JobRecovery }) {
  const [undoState, undo, undoing] = useActionState(undoInterruptedJobAction, initialFormState)
  const [resumeState, resume, resuming] = useActionState(resumeInterruptedJobAction, initialFormState)
  const [asLoaded] = useState(recovery)
  const started = Boolean(undoState.jobId || resumeState.jobId)
  // Once this page started one, it keeps following that job as it was offered, whatever a refresh says since.
  const offer = started ? asLoaded : recovery
  if (offer.state === 'rechecking')
    return (
      <p className="text-sm text-slate-600 dark:text-slate-300">
        Re-reading the host after the restart; reload in a moment.
      </p>
    )
  if (offer.state === 'unavailable') return <p className="text-sm text-slate-600 dark:text-slate-300">{offer.reason}</p>
  if (offer.state === 'chosen')
    return (
      <p className="text-sm" data-testid="recovery-choice">
        {choiceLabel[offer.choice]} was chosen for this job
        {offer.recoveryJobId && (
          <>
            {': '}
            <Link className="text-sky-800 dark:text-sky-300 hover:underline" href={`/jobs/${offer.recoveryJobId}`}>
              its job
            </Link>
          </>
        )}
        .
      </p>
    )
  return (
    <div className="grid gap-6 md:grid-cols-2">
      <RecoveryForm
        jobId={jobId}
        state={undoState}
        action={undo}
        pending={undoing}
        heading="Take back the finished steps, newest first"
        steps={offer.undo}
        label={choiceLabel.undo}
        pendingLabel="Undoing…"
        disabled={started || resuming}
      />
      <RecoveryForm
        jobId={jobId}
        state={resumeState}
        action={resume}
        pending={resuming}
        heading="Run the steps that did not finish"
        note={offer.resumeNote}
        steps={offer.resume}
        label={choiceLabel.resume}
        pendingLabel="Resuming…"
        disabled={started || undoing}
      />
    </div>
  )
}
