'use client'

import { useActionState, useState } from 'react'
import { initialFormState, type FormState } from '@/lib/actions/form-state'
import { TextField } from '@/app/ui/text-field'
import { Checkbox } from '@/app/ui/checkbox'
import { SelectField } from '@/app/ui/select-field'
import { Field, fieldParts } from '@/app/ui/field'
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

const kinds = [
  { value: 'nat', label: 'NAT (guests reach out through the host)' },
  { value: 'route', label: 'Routed (guests reachable by their own addresses)' },
  { value: 'open', label: 'Open (routed, no firewall rules from libvirt)' },
  { value: 'isolated', label: 'Isolated (no forwarding at all)' },
  { value: 'direct', label: 'macvtap pool (direct over host interfaces)' },
  { value: 'openvswitch', label: 'Open vSwitch bridge' },
]
const directModes = ['bridge', 'vepa', 'private', 'passthrough']

function TextArea({
  state,
  name,
  label,
  placeholder,
}: {
  state: FormState
  name: string
  label: string
  placeholder: string
}) {
  const { field, control } = fieldParts({ state, name, label })
  return (
    <Field {...field} className="col-span-2">
      <textarea className="input font-mono text-xs" rows={2} placeholder={placeholder} {...control} />
    </Field>
  )
}

/** One form for every kind of network: the fields of the chosen kind are shown (and posted), the others are not. */
export function CreateNetworkForm({ hostId }: { hostId: string }) {
  const [state, action, pending] = useActionState(createNetworkAction, initialFormState)
  const [kind, setKind] = useState(state.values?.kind ?? 'nat')
  const routed = ['nat', 'route', 'open', 'isolated'].includes(kind)
  return (
    <form action={action} className="space-y-3" noValidate>
      <input type="hidden" name="hostId" value={hostId} />
      <div className="grid grid-cols-2 gap-3">
        <TextField state={state} name="name" label="Name" placeholder="lab-net" />
        <SelectField
          state={state}
          name="kind"
          label="Kind"
          options={kinds}
          defaultValue={kind}
          onChange={(event) => setKind(event.target.value)}
        />
        {(routed || kind === 'openvswitch') && (
          <TextField
            state={state}
            name="bridge"
            label={kind === 'openvswitch' ? 'Bridge (an existing Open vSwitch bridge)' : 'Bridge'}
            placeholder={kind === 'openvswitch' ? 'ovsbr0' : 'next free virbrN'}
          />
        )}
        {(kind === 'nat' || kind === 'route') && (
          <TextField state={state} name="forwardDev" label="Leave by interface (optional)" placeholder="any" />
        )}
        {routed && (
          <>
            <TextField
              state={state}
              name="ipv4Cidr"
              label="IPv4 subnet"
              placeholder="10.1.2.0/24"
              className="col-span-2"
            />
            <TextField state={state} name="dhcpStart" label="DHCP start (optional)" placeholder="10.1.2.2" />
            <TextField state={state} name="dhcpEnd" label="DHCP end (optional)" placeholder="10.1.2.254" />
            <TextField
              state={state}
              name="ipv6Cidr"
              label="IPv6 prefix (optional)"
              placeholder="fd00:1:2::/64"
              className="col-span-2"
            />
            <TextField
              state={state}
              name="dhcp6Start"
              label="DHCPv6 start (optional, needs /64 or longer)"
              placeholder="fd00:1:2::100"
            />
            <TextField state={state} name="dhcp6End" label="DHCPv6 end" placeholder="fd00:1:2::1ff" />
            <TextField state={state} name="domain" label="DNS domain (optional)" placeholder="lab.internal" />
            <div className="flex items-end pb-2">
              <Checkbox state={state} name="localOnly">
                Answer the domain locally only
              </Checkbox>
            </div>
            <TextField
              state={state}
              name="forwarders"
              label="DNS forwarders (optional)"
              placeholder="9.9.9.9, 2620:fe::fe"
              className="col-span-2"
            />
            <TextArea
              state={state}
              name="dnsHosts"
              label="DNS host entries (one a line: address names…)"
              placeholder="10.1.2.5 www www.lab.internal"
            />
          </>
        )}
        {kind === 'nat' && (
          <>
            <TextField
              state={state}
              name="natAddressStart"
              label="NAT address start (optional)"
              placeholder="203.0.113.10"
            />
            <TextField state={state} name="natAddressEnd" label="NAT address end" placeholder="203.0.113.20" />
            <TextField state={state} name="natPortStart" label="NAT port start" placeholder="1024" />
            <TextField state={state} name="natPortEnd" label="NAT port end" placeholder="65535" />
          </>
        )}
        {kind === 'direct' && (
          <>
            <SelectField state={state} name="directMode" label="macvtap mode" options={directModes} />
            <TextField state={state} name="interfaces" label="Host interfaces" placeholder="enp3s0, enp4s0" />
          </>
        )}
        {kind === 'openvswitch' && (
          <TextArea
            state={state}
            name="portgroups"
            label="Portgroups (one a line: name VLAN tags… [default])"
            placeholder="web 10 default"
          />
        )}
        {kind !== 'direct' && <TextField state={state} name="mtu" label="MTU (optional)" placeholder="1500" />}
      </div>
      <NetworkStartOptions state={state} />
      <PlanFormActions state={state} pending={pending} pendingLabel="Creating…">
        Create network
      </PlanFormActions>
    </form>
  )
}
