'use client'

import { useActionState } from 'react'
import { initialFormState, type FormState } from '@/lib/actions/form-state'
import { FormStatus } from '@/app/ui/form-status'
import { XmlEditField } from '@/app/ui/xml-editor'
import { JobFollower } from '@/app/ui/job-follower'
import { SubmitButton } from '@/app/ui/submit-button'
import { dryRunOf, PlanPreview } from '@/app/ui/plan-preview'
import { applyEditAction } from './actions'

/** An answer numbered in the order answers came, so the editor shows the errors of the latest (Apply or preview). */
type NumberedState = FormState & { answer?: number }
let answers = 0
const numbered =
  (action: (previous: FormState, formData: FormData) => Promise<FormState>) =>
  async (previous: NumberedState, formData: FormData): Promise<NumberedState> => ({
    ...(await action(previous, formData)),
    answer: ++answers,
  })
const previewEditAction = numbered(dryRunOf(applyEditAction))
const applyEdit = numbered(applyEditAction)
const lineTone = {
  same: 'text-slate-300',
  added: 'bg-emerald-900 text-emerald-100',
  removed: 'bg-red-900 text-red-100',
} as const
const linePrefix = { same: '  ', added: '+ ', removed: '- ' } as const

export function NetworkEditForm({
  hostId,
  name,
  xml,
  version,
}: {
  hostId: string
  name: string
  xml: string
  version: string
}) {
  const [previewState, preview, previewing] = useActionState(previewEditAction, initialFormState as NumberedState)
  const [state, apply, applying] = useActionState(applyEdit, initialFormState as NumberedState)
  const latest = (state.answer ?? 0) > (previewState.answer ?? 0) ? state : previewState
  const result =
    previewState.status === 'preview' && previewState.detail?.kind === 'network-edit' ? previewState.detail : null
  return (
    <form className="space-y-3" noValidate>
      <XmlEditField label="Network XML" hostId={hostId} name={name} xml={xml} version={version} state={latest} />
      <div className="flex gap-2">
        <SubmitButton
          className="btn"
          formAction={preview}
          pending={previewing}
          pendingLabel="Checking…"
          disabled={applying}
        >
          Show changes
        </SubmitButton>
        <SubmitButton formAction={apply} pending={applying} pendingLabel="Applying…" disabled={Boolean(state.jobId)}>
          Apply
        </SubmitButton>
      </div>
      {previewState.status === 'error' && !previewState.errors.xml && <FormStatus state={previewState} />}
      {result && (
        <section className="card space-y-2" data-testid="edit-preview">
          <h2 className="text-lg font-semibold">Changes</h2>
          <p className="text-sm" data-testid="edit-mode">
            {result.edit.kind === 'none' &&
              'Nothing to apply: to libvirt this means the same as the current definition (comments, attribute order and indentation are not kept).'}
            {result.edit.kind === 'live' &&
              `Applies live with ${result.edit.updates.length} net-update command${result.edit.updates.length === 1 ? '' : 's'}; guests stay connected.`}
            {result.edit.kind === 'restart' &&
              (result.active
                ? `Needs a restart of the network (${result.edit.reasons.join(', ')}). Virtnet re-attaches these running guest interfaces afterwards: ${result.guests.map((g) => `${g.guest} (${g.tap})`).join(', ') || 'none'}.`
                : `The network is stopped: the new definition is saved and applies when it starts (${result.edit.reasons.join(', ')}).`)}
          </p>
          <pre className="overflow-x-auto rounded bg-slate-900 p-3 font-mono text-xs" data-testid="edit-diff">
            {result.diff.map((line, index) => (
              <div key={index} className={lineTone[line.kind]}>
                {linePrefix[line.kind]}
                {line.text}
              </div>
            ))}
          </pre>
          {result.edit.kind !== 'none' && <PlanPreview state={previewState} />}
        </section>
      )}
      {state.jobId ? (
        <>
          <FormStatus state={state} />
          <JobFollower jobId={state.jobId} />
        </>
      ) : (
        !state.errors.xml && <FormStatus state={state} />
      )}
    </form>
  )
}
