'use client'

import { useActionState } from 'react'
import { initialFormState, type FormState } from '@/lib/actions/form-state'
import { TextField } from '@/app/ui/text-field'
import { Checkbox } from '@/app/ui/checkbox'
import { PlanFormActions } from '@/app/ui/plan-preview'
import { createNetworkAction } from './actions'

/** Whether a new network (NAT or bridge mode) autostarts and starts now. */
export function NetworkStartOptions({ state }: { state: FormState }) {
  return (
    <div className="flex gap-4">
      <Checkbox state={state} name="autostart">
        Start with libvirtd
      </Checkbox>
      <Checkbox state={state} name="start">
        Start now
      </Checkbox>
    </div>
  )
}

export function CreateNetworkForm({ hostId }: { hostId: string }) {
  const [state, action, pending] = useActionState(createNetworkAction, initialFormState)
  return (
    <form action={action} className="space-y-3" noValidate>
      <input type="hidden" name="hostId" value={hostId} />
      <div className="grid grid-cols-2 gap-3">
        <TextField state={state} name="name" label="Name" placeholder="lab-net" />
        <TextField state={state} name="bridge" label="Bridge" placeholder="next free virbrN" />
        <TextField state={state} name="ipv4Cidr" label="IPv4 subnet" placeholder="10.1.2.0/24" className="col-span-2" />
        <TextField state={state} name="dhcpStart" label="DHCP start (optional)" placeholder="10.1.2.2" />
        <TextField state={state} name="dhcpEnd" label="DHCP end (optional)" placeholder="10.1.2.254" />
      </div>
      <NetworkStartOptions state={state} />
      <PlanFormActions state={state} pending={pending} pendingLabel="Creating…">
        Create network
      </PlanFormActions>
    </form>
  )
}
