'use client'

import { useActionState } from 'react'
import { initialFormState } from '@/lib/actions/form-state'
import { FieldError, FormStatus, fieldProps } from '@/app/ui/form-status'
import { Toast } from '@/app/ui/action-button'
import { attachInterfaceAction, changeNetworkAction } from './actions'

type Sources = { networks: Array<{ name: string; active: boolean }>; bridges: string[] }

export function AttachForm({ hostId, guest, sources }: { hostId: string; guest: string; sources: Sources }) {
  const [state, action, pending] = useActionState(attachInterfaceAction, initialFormState)
  const id = (name: string) => `${guest}-${name}`
  return (
    <form action={action} className="flex flex-wrap items-end gap-2" noValidate aria-label={`Attach an interface to ${guest}`}>
      <input type="hidden" name="hostId" value={hostId} />
      <input type="hidden" name="guest" value={guest} />
      <div>
        <label className="label" htmlFor={id('type')}>
          Type
        </label>
        <select className="input" name="type" id={id('type')} defaultValue={state.values?.type ?? 'network'}>
          <option value="network">network</option>
          <option value="bridge">host bridge</option>
        </select>
      </div>
      <div>
        <label className="label" htmlFor={id('source')}>
          Source
        </label>
        <select className="input" {...fieldProps(state, 'source')} id={id('source')} aria-describedby={state.errors.source ? 'source-error' : undefined}>
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
        </select>
        <FieldError state={state} name="source" />
      </div>
      <div>
        <label className="label" htmlFor={id('model')}>
          Model
        </label>
        <select className="input" name="model" id={id('model')} defaultValue="virtio">
          <option>virtio</option>
          <option>e1000</option>
          <option>rtl8139</option>
        </select>
      </div>
      <div>
        <label className="label" htmlFor={id('mac')}>
          MAC (optional)
        </label>
        <input className="input font-mono" placeholder="generated 52:54:00:…" {...fieldProps(state, 'mac')} id={id('mac')} />
        <FieldError state={state} name="mac" />
      </div>
      <button className="btn" disabled={pending}>
        {pending ? 'Attaching…' : 'Attach interface'}
      </button>
      <div className="w-full">
        <FormStatus state={state} />
      </div>
    </form>
  )
}

export function ChangeNetworkForm({ hostId, guest, mac, current, networks }: { hostId: string; guest: string; mac: string; current: string; networks: string[] }) {
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
      <button className="btn btn-sm" disabled={pending}>
        Move
      </button>
      <Toast state={state} />
    </form>
  )
}
