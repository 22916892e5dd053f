'use client'

import { useActionState } from 'react'
import { initialFormState } from '@/lib/actions/form-state'
import { RowStatus } from '@/app/ui/form-status'
import { TextField } from '@/app/ui/text-field'
import { SelectField } from '@/app/ui/select-field'
import { Checkbox } from '@/app/ui/checkbox'
import { SubmitButton } from '@/app/ui/submit-button'
import { PlanFormActions } from '@/app/ui/plan-preview'
import { assignAction, createPoolAction, setVfCountAction } from './actions'

export function SetVfCountForm({
  hostId,
  pf,
  current,
  total,
}: {
  hostId: string
  pf: string
  current: number
  total: number
}) {
  const [state, action, pending] = useActionState(setVfCountAction, initialFormState)
  return (
    <form action={action} className="flex flex-wrap items-end gap-2" noValidate>
      <input type="hidden" name="hostId" value={hostId} />
      <input type="hidden" name="pf" value={pf} />
      {/* Text, not type="number": a browser sends "" for what it cannot read as a number, and the one
          whole-number rule (lib/addresses/value-rules.ts) should judge what was typed. */}
      <TextField
        state={state}
        name="count"
        id={`count-${pf}`}
        label={`VFs on ${pf} (0–${total})`}
        inputClassName="w-28"
        inputMode="numeric"
        defaultValue={String(current)}
      />
      <SubmitButton className="btn btn-sm" pending={pending} pendingLabel="Setting…">
        Set VF count
      </SubmitButton>
      <RowStatus state={state} />
    </form>
  )
}

export function CreatePoolForm({ hostId, pfs }: { hostId: string; pfs: string[] }) {
  const [state, action, pending] = useActionState(createPoolAction, initialFormState)
  return (
    <form action={action} className="space-y-3" noValidate>
      <input type="hidden" name="hostId" value={hostId} />
      <div className="grid grid-cols-2 gap-3">
        <TextField state={state} name="name" label="Pool name" placeholder="passthrough" />
        <TextField
          state={state}
          name="pf"
          label="Physical function (PF)"
          placeholder={pfs[0] ?? 'enp3s0f0'}
          list="sriov-pfs"
        />
        <datalist id="sriov-pfs">
          {pfs.map((pf) => (
            <option key={pf} value={pf} />
          ))}
        </datalist>
      </div>
      <Checkbox state={state} name="autostart">
        Start with libvirtd
      </Checkbox>
      <PlanFormActions state={state} pending={pending} pendingLabel="Creating…">
        Create pool
      </PlanFormActions>
    </form>
  )
}

export function AssignForm({
  hostId,
  guests,
  targets,
}: {
  hostId: string
  guests: string[]
  targets: Array<{ value: string; label: string }>
}) {
  const [state, action, pending] = useActionState(assignAction, initialFormState)
  return (
    <form action={action} className="space-y-3" noValidate>
      <input type="hidden" name="hostId" value={hostId} />
      <div className="grid grid-cols-2 gap-3">
        <SelectField state={state} name="guest" label="Guest" options={guests} />
        <SelectField state={state} name="target" label="Pool or VF" options={targets} />
        <TextField state={state} name="mac" label="MAC (optional, fixed)" placeholder="generated and kept" />
        <TextField state={state} name="vlan" label="VLAN tag (optional)" placeholder="1–4094" />
        <TextField state={state} name="profileid" label="802.1Qbh profile id (pinned VF only)" className="col-span-2" />
      </div>
      <PlanFormActions
        state={state}
        pending={pending}
        pendingLabel="Assigning…"
        disabled={targets.length === 0 || guests.length === 0}
      >
        Assign
      </PlanFormActions>
    </form>
  )
}
