'use client'

import { useActionState } from 'react'
import { createNetworkAction, restoreDefaultAction } from './actions'
import { initialFormState } from '@/lib/actions/form-state'
import { FormStatus } from '@/app/ui/form-status'
import { TextField } from '@/app/ui/text-field'
import { JobFollower } from '@/app/ui/job-follower'

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
      <div className="flex gap-4 text-sm">
        <label className="flex items-center gap-2">
          <input type="checkbox" name="autostart" /> Start with libvirtd
        </label>
        <label className="flex items-center gap-2">
          <input type="checkbox" name="start" /> Start now
        </label>
      </div>
      <FormStatus state={state} />
      <button className="btn btn-primary" disabled={pending}>
        {pending ? 'Creating…' : 'Create network'}
      </button>
    </form>
  )
}

export function RestoreDefaultForm({ hostId }: { hostId: string }) {
  const [state, action, pending] = useActionState(restoreDefaultAction, initialFormState)
  return (
    <form action={action} className="space-y-3">
      <input type="hidden" name="hostId" value={hostId} />
      {state.jobId ? <JobFollower jobId={state.jobId} /> : <FormStatus state={state} />}
      <button className="btn" disabled={pending || Boolean(state.jobId)}>
        Restore default network
      </button>
    </form>
  )
}
