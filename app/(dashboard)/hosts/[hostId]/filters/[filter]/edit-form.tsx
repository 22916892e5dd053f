'use client'

import { useActionState } from 'react'
import { initialFormState } from '@/lib/actions/form-state'
import { PlanFormActions } from '@/app/ui/plan-preview'
import { XmlEditField } from '@/app/ui/xml-editor'
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
      <XmlEditField label="Filter XML" hostId={hostId} name={name} xml={xml} version={version} state={state} />
      <PlanFormActions state={state} pending={pending} pendingLabel="Applying…">
        Apply
      </PlanFormActions>
    </form>
  )
}
