'use client'

import { useActionState } from 'react'
import { initialFormState } from '@/lib/actions/form-state'
import { FieldError } from '@/app/ui/form-status'
import { PlanFormActions } from '@/app/ui/plan-preview'
import { applyFilterEditAction } from '../actions'

/** The filter's XML as libvirt printed it; Preview shows the plan, Apply validates and redefines it. */
export function FilterEditForm({
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
  const [state, action, pending] = useActionState(applyFilterEditAction, initialFormState)
  return (
    <form action={action} className="space-y-3" noValidate>
      <input type="hidden" name="hostId" value={hostId} />
      <input type="hidden" name="name" value={name} />
      <input type="hidden" name="base" value={version} />
      <div>
        <label className="label" htmlFor="xml">
          Filter XML
        </label>
        <textarea
          id="xml"
          name="xml"
          className="input h-96 font-mono text-xs"
          spellCheck={false}
          defaultValue={state.values?.xml ?? xml}
          aria-invalid={Boolean(state.errors.xml?.length)}
          aria-describedby={state.errors.xml?.length ? 'xml-error' : undefined}
        />
        <FieldError state={state} name="xml" />
      </div>
      <PlanFormActions state={state} pending={pending} pendingLabel="Applying…">
        Apply
      </PlanFormActions>
    </form>
  )
}
