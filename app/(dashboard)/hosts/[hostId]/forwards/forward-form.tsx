'use client'

import { useActionState } from 'react'
import { initialFormState, type FormState } from '@/lib/actions/form-state'
import { TextField } from '@/app/ui/text-field'
import { SelectField } from '@/app/ui/select-field'
import { Checkbox } from '@/app/ui/checkbox'
import { PlanFormActions } from '@/app/ui/plan-preview'

export type GuestOption = { value: string; label: string; needsMapping: boolean }
const protocols = [
  { value: 'tcp', label: 'TCP' },
  { value: 'udp', label: 'UDP' },
]
// One family per forward: the host address, the allowed sources and the guest's address are all of it.
const families = [
  { value: 'ipv4', label: 'IPv4' },
  { value: 'ipv6', label: "IPv6 (the guest's DHCPv6 address)" },
]
type Action = (previous: FormState, formData: FormData) => Promise<FormState>

/** The add-forward form, shared by operators (all options) and self-service users (their guests, no host options). */
export function ForwardForm({
  action,
  hostId,
  guests,
  hostAddresses = [],
  full,
}: {
  action: Action
  hostId?: string
  guests: GuestOption[]
  /** The host's own addresses (value) and their interfaces (label), offered for a forward bound to one of them. */
  hostAddresses?: Array<{ value: string; label: string }>
  full: boolean
}) {
  const [state, formAction, pending] = useActionState(action, initialFormState)
  return (
    <form action={formAction} className="space-y-3" noValidate>
      {hostId && <input type="hidden" name="hostId" value={hostId} />}
      <div className="grid grid-cols-2 gap-3">
        <SelectField
          state={state}
          name="guest"
          label="Guest"
          options={guests}
          defaultValue={guests[0]?.value}
          className="col-span-2"
        />
        <SelectField state={state} name="family" label="Address family" options={families} defaultValue="ipv4" />
        <SelectField state={state} name="protocol" label="Protocol" options={protocols} defaultValue="tcp" />
        <TextField
          state={state}
          name="hostPort"
          label="Host port or range"
          placeholder="8080 or 8000-8010"
          inputMode="numeric"
        />
        <TextField state={state} name="guestPort" label="Guest port or range" placeholder="80" inputMode="numeric" />
        {full && (
          <>
            <TextField
              state={state}
              name="hostAddress"
              label="Host address (optional)"
              placeholder="all addresses"
              list="host-addresses"
            />
            <datalist id="host-addresses">
              {hostAddresses.map((a) => (
                <option key={a.value} value={a.value} label={a.label} />
              ))}
            </datalist>
          </>
        )}
        <TextField
          state={state}
          name="sourceCidrs"
          label="Allowed sources (optional)"
          placeholder="anyone, or 203.0.113.0/24, 2001:db8::/32 …"
        />
        <TextField state={state} name="description" label="Description" />
      </div>
      {full && (
        <Checkbox state={state} name="createMapping">
          Create a static DHCP mapping for the guest&apos;s current address when it has none
        </Checkbox>
      )}
      <PlanFormActions state={state} pending={pending} pendingLabel="Adding…" disabled={guests.length === 0}>
        Add forward
      </PlanFormActions>
    </form>
  )
}
