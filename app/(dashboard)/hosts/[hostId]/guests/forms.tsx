'use client'

import { useActionState } from 'react'
import { initialFormState } from '@/lib/actions/form-state'
import { FormStatus } from '@/app/ui/form-status'
import { TextField } from '@/app/ui/text-field'
import { SelectField } from '@/app/ui/select-field'
import { Toast } from '@/app/ui/action-button'
import { SubmitButton } from '@/app/ui/submit-button'
import { PlanPreview, PreviewButton } from '@/app/ui/plan-preview'
import { attachInterfaceAction, changeNetworkAction } from './actions'

const types = [
  { value: 'network', label: 'network' },
  { value: 'bridge', label: 'host bridge' },
]
const models = ['virtio', 'e1000', 'rtl8139']

type Sources = { networks: Array<{ name: string; active: boolean }>; bridges: string[] }

export function AttachForm({ hostId, guest, sources }: { hostId: string; guest: string; sources: Sources }) {
  const [state, action, pending] = useActionState(attachInterfaceAction, initialFormState)
  const id = (name: string) => `${guest}-${name}`
  return (
    <form
      action={action}
      className="flex flex-wrap items-end gap-2"
      noValidate
      aria-label={`Attach an interface to ${guest}`}
    >
      <input type="hidden" name="hostId" value={hostId} />
      <input type="hidden" name="guest" value={guest} />
      <SelectField state={state} name="type" id={id('type')} label="Type" defaultValue="network" options={types} />
      <SelectField state={state} name="source" id={id('source')} label="Source">
        <optgroup label="Networks">
          {sources.networks.map((n) => (
            <option key={`n-${n.name}`} value={n.name}>
              {n.name}
              {n.active ? '' : ' (inactive)'}
            </option>
          ))}
        </optgroup>
        <optgroup label="Host bridges">
          {sources.bridges.map((b) => (
            <option key={`b-${b}`} value={b}>
              {b}
            </option>
          ))}
        </optgroup>
      </SelectField>
      <SelectField state={state} name="model" id={id('model')} label="Model" defaultValue="virtio" options={models} />
      <TextField
        state={state}
        name="mac"
        id={id('mac')}
        label="MAC (optional)"
        inputClassName="font-mono"
        placeholder="generated 52:54:00:…"
      />
      <PreviewButton pending={pending} />
      <SubmitButton className="btn" pending={pending} pendingLabel="Attaching…">
        Attach interface
      </SubmitButton>
      <div className="w-full space-y-2">
        <FormStatus state={state} />
        <PlanPreview state={state} />
      </div>
    </form>
  )
}

export function ChangeNetworkForm({
  hostId,
  guest,
  mac,
  current,
  networks,
}: {
  hostId: string
  guest: string
  mac: string
  current: string
  networks: string[]
}) {
  const [state, action, pending] = useActionState(changeNetworkAction, initialFormState)
  return (
    <form action={action} className="inline-flex gap-1">
      <input type="hidden" name="hostId" value={hostId} />
      <input type="hidden" name="guest" value={guest} />
      <input type="hidden" name="mac" value={mac} />
      <label className="sr-only" htmlFor={`net-${mac}`}>
        Network for {mac}
      </label>
      <select className="input py-0 text-xs" name="network" id={`net-${mac}`} defaultValue={current}>
        {networks.map((n) => (
          <option key={n}>{n}</option>
        ))}
      </select>
      <SubmitButton className="btn btn-sm" pending={pending}>
        Move
      </SubmitButton>
      <Toast state={state} />
    </form>
  )
}
