'use client'

import { useActionState } from 'react'
import { initialFormState } from '@/lib/actions/form-state'
import { FormStatus } from '@/app/ui/form-status'
import { TextField } from '@/app/ui/text-field'
import { SelectField } from '@/app/ui/select-field'
import { Toast } from '@/app/ui/action-button'
import { SubmitButton } from '@/app/ui/submit-button'
import { PlanPreview, PreviewButton } from '@/app/ui/plan-preview'
import { attachInterfaceAction, changeNetworkAction, interfaceSettingsAction } from './actions'
import type { InterfaceSettings } from '@/lib/libvirt-xml/interface-settings'

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

const text = (value: number | string | null | undefined) => (value === undefined || value === null ? '' : String(value))

/**
 * An interface's settings: link state (live), bandwidth, network filter, portgroup and model (at the next boot of a
 * running guest). The fields start from what the guest's XML holds; only what differs is changed.
 */
export function InterfaceSettingsForm({
  hostId,
  guest,
  mac,
  settings,
  running,
}: {
  hostId: string
  guest: string
  mac: string
  settings: InterfaceSettings
  running: boolean
}) {
  const [state, action, pending] = useActionState(interfaceSettingsAction, initialFormState)
  const id = (name: string) => `${mac}-${name}`
  const field = (name: string, label: string, value: string, placeholder = '') => (
    <TextField
      state={state}
      name={name}
      id={id(name)}
      label={label}
      defaultValue={value}
      placeholder={placeholder}
      inputClassName="w-28 font-mono text-xs"
    />
  )
  const modelChoices = [...new Set([settings.model ?? 'virtio', ...models])]
  return (
    <form action={action} className="space-y-2" noValidate aria-label={`Settings of ${mac}`}>
      <input type="hidden" name="hostId" value={hostId} />
      <input type="hidden" name="guest" value={guest} />
      <input type="hidden" name="mac" value={mac} />
      <div className="flex flex-wrap items-end gap-2">
        <SelectField
          state={state}
          name="link"
          id={id('link')}
          label="Link"
          defaultValue={settings.link}
          options={['up', 'down']}
        />
        <SelectField
          state={state}
          name="model"
          id={id('model')}
          label={running ? 'Model (at next boot)' : 'Model'}
          defaultValue={settings.model ?? 'virtio'}
          options={modelChoices}
        />
        {field('portgroup', 'Portgroup', text(settings.portgroup), 'none')}
        {field('filter', 'Network filter', text(settings.filter?.name), 'clean-traffic')}
        <TextField
          state={state}
          name="filterParameters"
          id={id('filterParameters')}
          label="Filter parameters"
          defaultValue={settings.filter?.parameters.map((p) => `${p.name}=${p.value}`).join(' ') ?? ''}
          placeholder="IP=10.1.2.3"
          inputClassName="w-44 font-mono text-xs"
        />
      </div>
      <div className="flex flex-wrap items-end gap-2">
        {field('inboundAverage', 'In average (KiB/s)', text(settings.inbound.average))}
        {field('inboundPeak', 'In peak', text(settings.inbound.peak))}
        {field('inboundBurst', 'In burst (KiB)', text(settings.inbound.burst))}
        {field('outboundAverage', 'Out average (KiB/s)', text(settings.outbound.average))}
        {field('outboundPeak', 'Out peak', text(settings.outbound.peak))}
        {field('outboundBurst', 'Out burst (KiB)', text(settings.outbound.burst))}
      </div>
      <div className="flex gap-2">
        <PreviewButton pending={pending} />
        <SubmitButton className="btn" pending={pending} pendingLabel="Applying…">
          Apply settings
        </SubmitButton>
      </div>
      <FormStatus state={state} />
      <PlanPreview state={state} />
    </form>
  )
}
