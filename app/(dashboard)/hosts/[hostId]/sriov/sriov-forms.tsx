'use client'

import { useActionState } from 'react'
import { initialFormState } from '@/lib/actions/form-state'
import { FieldError, FormStatus, fieldProps } from '@/app/ui/form-status'
import { TextField } from '@/app/ui/text-field'
import { assignAction, createPoolAction, setVfCountAction } from './actions'

export function SetVfCountForm({ hostId, pf, current, total }: { hostId: string; pf: string; current: number; total: number }) {
  const [state, action, pending] = useActionState(setVfCountAction, initialFormState)
  const id = `count-${pf}`
  return (
    <form action={action} className="flex flex-wrap items-end gap-2" noValidate>
      <input type="hidden" name="hostId" value={hostId} />
      <input type="hidden" name="pf" value={pf} />
      <div>
        <label className="label" htmlFor={id}>
          VFs on {pf} (0–{total})
        </label>
        <input className="input w-28" type="number" min={0} max={total} {...fieldProps(state, 'count', String(current))} id={id} />
        <FieldError state={state} name="count" />
      </div>
      <button className="btn btn-sm" disabled={pending}>
        {pending ? 'Setting…' : 'Set VF count'}
      </button>
      <div className="w-full">
        <FormStatus state={state} />
      </div>
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
        <TextField state={state} name="pf" label="Physical function (PF)" placeholder={pfs[0] ?? 'enp3s0f0'} list="sriov-pfs" />
        <datalist id="sriov-pfs">
          {pfs.map((pf) => (
            <option key={pf} value={pf} />
          ))}
        </datalist>
      </div>
      <label className="flex items-center gap-2 text-sm">
        <input type="checkbox" name="autostart" /> Start with libvirtd
      </label>
      <FormStatus state={state} />
      <button className="btn btn-primary" disabled={pending}>
        {pending ? 'Creating…' : 'Create pool'}
      </button>
    </form>
  )
}

export function AssignForm({ hostId, guests, targets }: { hostId: string; guests: string[]; targets: Array<{ value: string; label: string }> }) {
  const [state, action, pending] = useActionState(assignAction, initialFormState)
  return (
    <form action={action} className="space-y-3" noValidate>
      <input type="hidden" name="hostId" value={hostId} />
      <div className="grid grid-cols-2 gap-3">
        <div>
          <label className="label" htmlFor="guest">
            Guest
          </label>
          <select className="input" {...fieldProps(state, 'guest')}>
            {guests.map((guest) => (
              <option key={guest}>{guest}</option>
            ))}
          </select>
          <FieldError state={state} name="guest" />
        </div>
        <div>
          <label className="label" htmlFor="target">
            Pool or VF
          </label>
          <select className="input" {...fieldProps(state, 'target')}>
            {targets.map((t) => (
              <option key={t.value} value={t.value}>
                {t.label}
              </option>
            ))}
          </select>
          <FieldError state={state} name="target" />
        </div>
        <TextField state={state} name="mac" label="MAC (optional, fixed)" placeholder="generated and kept" />
        <TextField state={state} name="vlan" label="VLAN tag (optional)" placeholder="1–4094" />
        <TextField state={state} name="profileid" label="802.1Qbh profile id (pinned VF only)" className="col-span-2" />
      </div>
      <FormStatus state={state} />
      <button className="btn btn-primary" disabled={pending || targets.length === 0 || guests.length === 0}>
        {pending ? 'Assigning…' : 'Assign'}
      </button>
    </form>
  )
}
