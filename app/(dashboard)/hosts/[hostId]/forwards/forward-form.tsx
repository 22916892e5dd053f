'use client'

import { useActionState } from 'react'
import { initialFormState, type FormState } from '@/lib/actions/form-state'
import { FieldError, FormStatus, fieldProps } from '@/app/ui/form-status'

export type GuestOption = { value: string; label: string; needsMapping: boolean }
type Action = (previous: FormState, formData: FormData) => Promise<FormState>

/** The add-forward form, shared by operators (all options) and self-service users (their guests, no host options). */
export function ForwardForm({ action, hostId, guests, full }: { action: Action; hostId?: string; guests: GuestOption[]; full: boolean }) {
  const [state, formAction, pending] = useActionState(action, initialFormState)
  return (
    <form action={formAction} className="space-y-3" noValidate>
      {hostId && <input type="hidden" name="hostId" value={hostId} />}
      <div className="grid grid-cols-2 gap-3">
        <div className="col-span-2">
          <label className="label" htmlFor="guest">
            Guest
          </label>
          <select className="input" {...fieldProps(state, 'guest', guests[0]?.value)}>
            {guests.map((g) => (
              <option key={g.value} value={g.value}>
                {g.label}
              </option>
            ))}
          </select>
          <FieldError state={state} name="guest" />
        </div>
        <div>
          <label className="label" htmlFor="protocol">
            Protocol
          </label>
          <select className="input" {...fieldProps(state, 'protocol', 'tcp')}>
            <option value="tcp">TCP</option>
            <option value="udp">UDP</option>
          </select>
          <FieldError state={state} name="protocol" />
        </div>
        <div>
          <label className="label" htmlFor="hostPort">
            Host port or range
          </label>
          <input className="input" placeholder="8080 or 8000-8010" inputMode="numeric" {...fieldProps(state, 'hostPort')} />
          <FieldError state={state} name="hostPort" />
        </div>
        <div>
          <label className="label" htmlFor="guestPort">
            Guest port or range
          </label>
          <input className="input" placeholder="80" inputMode="numeric" {...fieldProps(state, 'guestPort')} />
          <FieldError state={state} name="guestPort" />
        </div>
        {full && (
          <div>
            <label className="label" htmlFor="hostAddress">
              Host address (optional)
            </label>
            <input className="input" placeholder="all addresses" {...fieldProps(state, 'hostAddress')} />
            <FieldError state={state} name="hostAddress" />
          </div>
        )}
        <div>
          <label className="label" htmlFor="sourceCidrs">
            Allowed sources (optional)
          </label>
          <input className="input" placeholder="anyone, or 203.0.113.0/24, …" {...fieldProps(state, 'sourceCidrs')} />
          <FieldError state={state} name="sourceCidrs" />
        </div>
        <div className="col-span-2">
          <label className="label" htmlFor="description">
            Description
          </label>
          <input className="input" {...fieldProps(state, 'description')} />
          <FieldError state={state} name="description" />
        </div>
      </div>
      {full && (
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" name="createMapping" /> Create a static DHCP mapping for the guest&apos;s current address when it has none
        </label>
      )}
      <FormStatus state={state} />
      <button className="btn btn-primary" disabled={pending || guests.length === 0}>
        {pending ? 'Adding…' : 'Add forward'}
      </button>
    </form>
  )
}
