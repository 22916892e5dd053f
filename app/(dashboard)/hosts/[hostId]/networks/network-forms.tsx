'use client'

import { useActionState } from 'react'
import { createNetworkAction, restoreDefaultAction } from './actions'
import { initialFormState } from '@/lib/actions/form-state'
import { FieldError, FormStatus, fieldProps } from '@/app/ui/form-status'
import { JobFollower } from '@/app/ui/job-follower'

export function CreateNetworkForm({ hostId }: { hostId: string }) {
  const [state, action, pending] = useActionState(createNetworkAction, initialFormState)
  return (
    <form action={action} className="space-y-3" noValidate>
      <input type="hidden" name="hostId" value={hostId} />
      <div className="grid grid-cols-2 gap-3">
        <div>
          <label className="label" htmlFor="name">
            Name
          </label>
          <input className="input" placeholder="lab-net" {...fieldProps(state, 'name')} />
          <FieldError state={state} name="name" />
        </div>
        <div>
          <label className="label" htmlFor="bridge">
            Bridge
          </label>
          <input className="input" placeholder="next free virbrN" {...fieldProps(state, 'bridge')} />
          <FieldError state={state} name="bridge" />
        </div>
        <div className="col-span-2">
          <label className="label" htmlFor="ipv4Cidr">
            IPv4 subnet
          </label>
          <input className="input" placeholder="10.1.2.0/24" {...fieldProps(state, 'ipv4Cidr')} />
          <FieldError state={state} name="ipv4Cidr" />
        </div>
        <div>
          <label className="label" htmlFor="dhcpStart">
            DHCP start (optional)
          </label>
          <input className="input" placeholder="10.1.2.2" {...fieldProps(state, 'dhcpStart')} />
          <FieldError state={state} name="dhcpStart" />
        </div>
        <div>
          <label className="label" htmlFor="dhcpEnd">
            DHCP end (optional)
          </label>
          <input className="input" placeholder="10.1.2.254" {...fieldProps(state, 'dhcpEnd')} />
          <FieldError state={state} name="dhcpEnd" />
        </div>
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
